/**
 * Every outcome of the issue, replayed as sequences of Butler expositions
 * served by a fake Butler over loopback HTTP and scraped by the real
 * exporter, with a manual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { promtoolCheckMetrics } from '../support/binaries.js';
import { sampleValue } from '../support/exporter.js';
import type { FakeButlerMetrics } from '../../sim/butler/fake-butler-metrics.js';
import { BUTLER_TOML, butlerCycle, logLine, REPO, startScenario, type Scenario } from './scenario.js';

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

async function start(...args: Parameters<typeof startScenario>): Promise<Scenario> {
  scenario = await startScenario(...args);
  return scenario;
}

const INSTANCE = () => scenario!.fake.instance;
const manager = (name: string) => ({ instance: INSTANCE(), manager: name });
const file = (name: string) => ({ instance: INSTANCE(), file: name });
const reloads = (text: string, name: string, result: string) => sampleValue(text, 'butler_reloads_total', { ...manager(name), result });

describe('butler exporter: reload outcomes', () => {
  it('reload 200: status 200, the attempt time and the LKG time, one success', async () => {
    const s = await start();
    const first = await s.exporter.scrape();
    // The first scrape has no baseline: it shows what Butler says about the past and counts nothing.
    expect(sampleValue(first, 'butler_reload_status', manager('prometheus'))).toBe(200);
    expect(sampleValue(first, 'butler_reload_time', manager('prometheus'))).toBe(s.now() - 60);
    expect(sampleValue(first, 'butler_lkg', manager('prometheus'))).toBe(s.now() - 60);
    expect(reloads(first, 'prometheus', 'success')).toBe(0);

    const text = await s.step(300, (b, now) => butlerCycle(b, now, { changed: ['prometheus'] }));
    expect(sampleValue(text, 'butler_reload_status', manager('prometheus'))).toBe(200);
    expect(sampleValue(text, 'butler_reload_time', manager('prometheus'))).toBe(s.now());
    expect(sampleValue(text, 'butler_lkg', manager('prometheus'))).toBe(s.now());
    expect(reloads(text, 'prometheus', 'success')).toBe(1);
    expect(reloads(text, 'alertmanager', 'success')).toBe(0);
    expect(sampleValue(text, 'butler_lkg_restores_total', manager('prometheus'))).toBe(0);
    expect(sampleValue(text, 'butler_target_up', { instance: INSTANCE() })).toBe(1);
    expect(sampleValue(text, 'butler_target_last_scrape_timestamp_seconds', { instance: INSTANCE() })).toBe(s.now());
    expect(sampleValue(text, 'butler_scheduler_interval_seconds', { instance: INSTANCE() })).toBe(300);
    expect(sampleValue(text, 'butler_retrieve_interval_seconds', file(`${REPO}${BUTLER_TOML}`))).toBe(300);
    expect(sampleValue(text, 'butler_retrieve_interval_seconds', file(`${REPO}/prometheus.yml`))).toBeUndefined();
    expect(promtoolCheckMetrics(text)).toBe('');
  });

  it('reload non-200 restores the LKG: the code from the log, -1 without one, a restore per failed attempt', async () => {
    const s = await start();
    const lkg = s.now() - 60;
    const failedReload = (b: FakeButlerMetrics, now: number) => {
      butlerCycle(b, now);
      b.write('prometheus.yml', true, now).reload('prometheus', false, now).restore('prometheus');
    };

    let text = await s.step(300, failedReload);
    expect(sampleValue(text, 'butler_reload_status', manager('prometheus'))).toBe(-1);
    expect(sampleValue(text, 'butler_reload_time', manager('prometheus'))).toBe(s.now());
    expect(sampleValue(text, 'butler_lkg_restores_total', manager('prometheus'))).toBe(1);
    expect(reloads(text, 'prometheus', 'failure')).toBe(1);
    expect(sampleValue(text, 'butler_lkg', manager('prometheus'))).toBe(lkg);

    // The log line, read after the scrape that revealed the failure, gives its code and exact time.
    const failedAt = s.now() - 2;
    const posted = await s.postLog([logLine(failedAt, 'error', 'HTTPReloader::Reload()[count=1][manager=prometheus]: received bad response from server. http_code=503')]);
    expect(posted.status).toBe(202);
    text = await s.exporter.scrape();
    expect(sampleValue(text, 'butler_reload_status', manager('prometheus'))).toBe(503);
    expect(sampleValue(text, 'butler_reload_time', manager('prometheus'))).toBe(failedAt);

    // Still bad next cycle: written again, reload fails again, restored stays 1: another restore.
    s.clock.advance(300_000);
    await s.postLog([logLine(s.now(), 'error', 'HTTPReloader::Reload()[count=2][manager=prometheus]: received bad response from server. http_code=500')]);
    text = await s.step(5, failedReload);
    expect(sampleValue(text, 'butler_reload_status', manager('prometheus'))).toBe(500);
    expect(sampleValue(text, 'butler_reload_time', manager('prometheus'))).toBe(s.now() - 5);
    expect(sampleValue(text, 'butler_lkg_restores_total', manager('prometheus'))).toBe(2);
    expect(reloads(text, 'prometheus', 'failure')).toBe(2);
    expect(sampleValue(text, 'butler_lkg', manager('prometheus'))).toBe(lkg);

    // A scrape that shows no new attempt changes nothing.
    const again = await s.step(15);
    expect(sampleValue(again, 'butler_lkg_restores_total', manager('prometheus'))).toBe(2);
    expect(reloads(again, 'prometheus', 'failure')).toBe(2);
  });

  it('reload timeout with manager-timeout-ok true: counted as a timeout, no status, no time, no restore', async () => {
    const s = await start();
    const before = await s.exporter.scrape();
    const reloadedAt = sampleValue(before, 'butler_reload_time', manager('alertmanager'));

    // Butler's DeleteButlerReloadVal: the reload series go, the LKG gauges stay.
    let text = await s.step(300, (b, now) => {
      butlerCycle(b, now);
      b.write('alertmanager.yml', true, now).deleteReload('alertmanager');
    });
    await s.postLog([logLine(s.now(), 'error', 'HTTPReloader::Reload()[count=1][manager=alertmanager]: err=Post "http://localhost:9093/-/reload": context deadline exceeded')]);
    text = await s.exporter.scrape();
    expect(reloads(text, 'alertmanager', 'timeout')).toBe(1);
    expect(sampleValue(text, 'butler_reload_status', manager('alertmanager'))).toBe(200);
    expect(sampleValue(text, 'butler_reload_time', manager('alertmanager'))).toBe(reloadedAt);
    expect(sampleValue(text, 'butler_lkg_restores_total', manager('alertmanager'))).toBe(0);

    // The next reload recreates the count at 1: one success, not a reset.
    text = await s.step(300, (b, now) => butlerCycle(b, now, { changed: ['alertmanager'] }));
    expect(reloads(text, 'alertmanager', 'success')).toBe(1);
    expect(reloads(text, 'alertmanager', 'timeout')).toBe(1);
    expect(sampleValue(text, 'butler_reload_time', manager('alertmanager'))).toBe(s.now());
  });

  it('reload timeout with manager-timeout-ok false: status 0, the attempt time, an LKG restore', async () => {
    const s = await start();
    s.clock.advance(300_000);
    const timedOutAt = s.now();
    // The log line arrives before the scrape that shows the attempt.
    await s.postLog([logLine(timedOutAt, 'error', 'HTTPReloader::Reload()[count=1][manager=prometheus]: err=Post "http://localhost:9090/-/reload": context deadline exceeded (Client.Timeout exceeded while awaiting headers)')]);
    const text = await s.step(10, (b, now) => {
      butlerCycle(b, now);
      b.write('prometheus.yml', true, now).reload('prometheus', false, now).restore('prometheus');
    });
    expect(sampleValue(text, 'butler_reload_status', manager('prometheus'))).toBe(0);
    expect(sampleValue(text, 'butler_reload_time', manager('prometheus'))).toBe(timedOutAt);
    expect(reloads(text, 'prometheus', 'failure')).toBe(1);
    expect(reloads(text, 'prometheus', 'timeout')).toBe(0);
    expect(sampleValue(text, 'butler_lkg_restores_total', manager('prometheus'))).toBe(1);
  });

  it('several attempts between two scrapes: the last result is known, the others are unknown', async () => {
    const s = await start();
    const text = await s.step(900, (b, now) => {
      b.reload('prometheus', false, now - 600).restore('prometheus');
      b.reload('prometheus', false, now - 300);
      b.reload('prometheus', true, now).cache('prometheus');
    });
    expect(reloads(text, 'prometheus', 'success')).toBe(1);
    expect(reloads(text, 'prometheus', 'unknown')).toBe(2);
    expect(sampleValue(text, 'butler_reload_status', manager('prometheus'))).toBe(200);
    expect(sampleValue(text, 'butler_lkg', manager('prometheus'))).toBe(s.now());
  });
});

describe('butler exporter: remote, render, validation and write outcomes', () => {
  it('remote down and up: -1, then the logged code, kept while it fails; 200 and a new time when it is back', async () => {
    const s = await start();
    const fetchedAt = s.now() - 60;
    const alerts = file(`${REPO}/rules/alerts.yml`);

    let text = await s.step(300, (b, now) => butlerCycle(b, now, { unreachable: ['rules/alerts.yml'] }));
    expect(sampleValue(text, 'butler_remote_status', alerts)).toBe(-1);
    expect(sampleValue(text, 'butler_remote_time', alerts)).toBe(fetchedAt);
    expect(sampleValue(text, 'butler_remote_status', file(`${REPO}/prometheus.yml`))).toBe(200);
    expect(sampleValue(text, 'butler_remote_time', file(`${REPO}/prometheus.yml`))).toBe(s.now());
    expect(sampleValue(text, 'butler_remote_status', file(`${REPO}${BUTLER_TOML}`))).toBe(200);

    const response = await s.postLog([
      logLine(s.now(), 'error', `ManagerOpts::DownloadConfigFile()[count=1][manager=prometheus]: Did not receive 200 response code for https://${REPO}/butler/prometheus/rules/alerts.yml. code=404`),
    ]);
    expect(await response.json()).toEqual({ codes: 1, applied: 1 });
    text = await s.exporter.scrape();
    expect(sampleValue(text, 'butler_remote_status', alerts)).toBe(404);

    text = await s.step(300, (b, now) => butlerCycle(b, now, { unreachable: ['rules/alerts.yml'] }));
    expect(sampleValue(text, 'butler_remote_status', alerts)).toBe(404);
    expect(sampleValue(text, 'butler_remote_time', alerts)).toBe(fetchedAt);

    text = await s.step(300, (b, now) => butlerCycle(b, now));
    expect(sampleValue(text, 'butler_remote_status', alerts)).toBe(200);
    expect(sampleValue(text, 'butler_remote_time', alerts)).toBe(s.now());
    expect(reloads(text, 'prometheus', 'success')).toBe(0);
  });

  it('a remote failure logged after a later success is stale and ignored', async () => {
    const s = await start();
    await s.step(300, (b, now) => butlerCycle(b, now));
    await s.postLog([logLine(s.now() - 200, 'error', `ManagerOpts::DownloadConfigFile()[count=1][manager=prometheus]: Could not download from https://${REPO}/butler/prometheus/prometheus.yml, err=giving up after 6 attempt(s)`)]);
    expect(sampleValue(await s.exporter.scrape(), 'butler_remote_status', file(`${REPO}/prometheus.yml`))).toBe(200);
  });

  it('render failure: mustache 0 and render 0, nothing written or reloaded', async () => {
    const s = await start();
    const text = await s.step(300, (b, now) => {
      butlerCycle(b, now);
      b.render(REPO, 'prometheus.yml', false, now);
    });
    const prom = file(`${REPO}/prometheus.yml`);
    expect(sampleValue(text, 'butler_cfg_mustache', prom)).toBe(0);
    expect(sampleValue(text, 'butler_cfg_render', { ...prom, method: 'yml' })).toBe(0);
    expect(sampleValue(text, 'butler_cfg_mustache', file(`${REPO}/rules/alerts.yml`))).toBe(1);
    expect(sampleValue(text, 'butler_remote_status', prom)).toBe(200);
    expect(reloads(text, 'prometheus', 'success') ?? 0).toBe(0);
    expect(reloads(text, 'prometheus', 'failure') ?? 0).toBe(0);
  });

  it('validation failure: mustache 1, render 0', async () => {
    const s = await start();
    const text = await s.step(300, (b, now) => {
      butlerCycle(b, now);
      b.validate(REPO, 'rules/alerts.yml', 'prometheus', false);
    });
    const alerts = file(`${REPO}/rules/alerts.yml`);
    expect(sampleValue(text, 'butler_cfg_mustache', alerts)).toBe(1);
    expect(sampleValue(text, 'butler_cfg_render', { ...alerts, method: 'yml' })).toBe(0);
    expect(sampleValue(text, 'butler_cfg_render', { ...file(`${REPO}/prometheus.yml`), method: 'yml' })).toBe(1);
  });

  it('write failure: write 0 and no reload', async () => {
    const s = await start();
    const text = await s.step(300, (b, now) => {
      butlerCycle(b, now);
      b.write('prometheus.yml', false, now);
    });
    expect(sampleValue(text, 'butler_write', file('prometheus.yml'))).toBe(0);
    expect(sampleValue(text, 'butler_write', file('rules/alerts.yml'))).toBe(1);
    expect(reloads(text, 'prometheus', 'success')).toBe(0);
    expect(reloads(text, 'prometheus', 'failure')).toBe(0);
  });
});

describe('butler exporter: restarts and removals', () => {
  it('a Butler restart resets its gauges without phantom reloads or restores', async () => {
    const s = await start();
    let text = await s.step(300, (b, now) => {
      butlerCycle(b, now);
      b.write('prometheus.yml', true, now).reload('prometheus', false, now).restore('prometheus');
    });
    const before = { status: sampleValue(text, 'butler_reload_status', manager('prometheus')), time: sampleValue(text, 'butler_reload_time', manager('prometheus')), lkg: sampleValue(text, 'butler_lkg', manager('prometheus')) };
    expect(sampleValue(text, 'butler_lkg_restores_total', manager('prometheus'))).toBe(1);

    // A new process: every gauge is gone; its first cycle finds nothing changed.
    text = await s.step(120, (b, now) => {
      b.restart(now - 5);
      butlerCycle(b, now);
    });
    expect(sampleValue(text, 'butler_lkg_restores_total', manager('prometheus'))).toBe(1);
    expect(reloads(text, 'prometheus', 'failure')).toBe(1);
    expect(reloads(text, 'prometheus', 'success')).toBe(0);
    expect(reloads(text, 'prometheus', 'timeout')).toBe(0);
    expect(reloads(text, 'alertmanager', 'timeout')).toBe(0);
    expect(sampleValue(text, 'butler_reload_status', manager('prometheus'))).toBe(before.status);
    expect(sampleValue(text, 'butler_reload_time', manager('prometheus'))).toBe(before.time);
    // The LKG cache was in the old process' memory: nothing is cached now.
    expect(before.lkg).toBeDefined();
    expect(sampleValue(text, 'butler_lkg', manager('prometheus'))).toBeUndefined();

    // Attempts after the restart count from the new process' zero.
    text = await s.step(300, (b, now) => butlerCycle(b, now, { changed: ['prometheus'] }));
    expect(reloads(text, 'prometheus', 'success')).toBe(1);
    expect(sampleValue(text, 'butler_reload_time', manager('prometheus'))).toBe(s.now());
    expect(sampleValue(text, 'butler_lkg', manager('prometheus'))).toBe(s.now());
  });

  it('a restart with reloads since: counts those, not the old totals', async () => {
    const s = await start({ initial: (b, now) => {
      butlerCycle(b, now - 900, { changed: ['prometheus'] });
      butlerCycle(b, now - 600, { changed: ['prometheus'] });
      butlerCycle(b, now - 300, { changed: ['prometheus'] });
    } });
    const text = await s.step(300, (b, now) => {
      b.restart(now - 100);
      butlerCycle(b, now - 90, { changed: ['prometheus'] });
    });
    expect(reloads(text, 'prometheus', 'success')).toBe(1);
    expect(reloads(text, 'prometheus', 'unknown')).toBe(0);
    expect(sampleValue(text, 'butler_reload_time', manager('prometheus'))).toBe(s.now() - 90);
  });

  it('a removed manager and its files keep only their counters for the grace period, then are dropped', async () => {
    const s = await start({ sets: ['stale_after_seconds=600'] });
    const removeAlertmanager = (b: FakeButlerMetrics, now: number) => {
      b.restart(now - 10);
      butlerCycle(b, now, { without: ['alertmanager'] });
    };
    // No longer current: no status, times or phases (a frozen butler_remote_time would look stale).
    let text = await s.step(300, removeAlertmanager);
    expect(sampleValue(text, 'butler_reload_status', manager('alertmanager'))).toBeUndefined();
    expect(sampleValue(text, 'butler_reload_time', manager('alertmanager'))).toBeUndefined();
    expect(sampleValue(text, 'butler_remote_status', file(`${REPO}/alertmanager.yml`))).toBeUndefined();
    expect(sampleValue(text, 'butler_remote_time', file(`${REPO}/alertmanager.yml`))).toBeUndefined();
    expect(sampleValue(text, 'butler_write', file('alertmanager.yml'))).toBeUndefined();
    expect(reloads(text, 'alertmanager', 'success')).toBe(0);

    text = await s.step(599, (b, now) => butlerCycle(b, now, { without: ['alertmanager'] }));
    expect(reloads(text, 'alertmanager', 'success')).toBe(0);

    text = await s.step(1);
    expect(sampleValue(text, 'butler_reload_status', manager('alertmanager'))).toBeUndefined();
    expect(sampleValue(text, 'butler_reloads_total', manager('alertmanager'))).toBeUndefined();
    expect(sampleValue(text, 'butler_remote_status', file(`${REPO}/alertmanager.yml`))).toBeUndefined();
    expect(sampleValue(text, 'butler_cfg_render', file(`${REPO}/alertmanager.yml`))).toBeUndefined();
    expect(sampleValue(text, 'butler_reload_status', manager('prometheus'))).toBe(200);
    expect(promtoolCheckMetrics(text)).toBe('');
  });
});
