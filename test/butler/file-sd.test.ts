/** Butler targets from Prometheus file_sd files: found, kept through a bad file or a failed commit, dropped after the grace period once gone. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { butlerExporter, type ButlerExporter } from '../../exporters/butler/index.js';
import { ManualClock } from '../../exporters/core/clock.js';
import { butlerConfigSchema } from '../../exporters/butler/config.js';
import { loadConfig } from '../../exporters/core/config.js';
import { silentLogger } from '../../exporters/core/log.js';
import { startExporter } from '../../exporters/core/runtime.js';
import { SqliteStore } from '../../exporters/core/store.js';
import { sampleValue, startTestExporter, tempDir, type TestExporter } from '../support/exporter.js';
import { FakeButlerMetrics } from '../../sim/butler/fake-butler-metrics.js';
import { startFakeButler, type FakeButlerServer } from '../../sim/butler/fake-butler-server.js';
import { butlerCycle } from './scenario.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function fakeButler(clock: ManualClock, path = '/metrics'): Promise<FakeButlerServer> {
  const metrics = new FakeButlerMetrics(clock.now() / 1000 - 3600);
  butlerCycle(metrics, clock.now() / 1000 - 60, { changed: ['prometheus'] });
  const fake = await startFakeButler(metrics.text(), path);
  cleanup.push(() => fake.close());
  return fake;
}

describe('butler exporter: file_sd targets', () => {
  it('scrapes what the files list, keeps the last good list through a bad file, drops a removed target after the grace period', async () => {
    const clock = new ManualClock();
    const a = await fakeButler(clock);
    const b = await fakeButler(clock, '/butler/metrics');
    const sd = join(tempDir(), 'butlers.json');
    writeFileSync(sd, JSON.stringify([{ targets: [a.instance], labels: { team: 'obs' } }, { targets: [b.instance], labels: { __metrics_path__: '/butler/metrics' } }]));
    const exporter: TestExporter = await startTestExporter(butlerExporter, {
      clock,
      sets: [`file_sd.files=["${sd}"]`, 'file_sd.refresh_seconds=3600', 'scrape.interval_seconds=3600', 'stale_after_seconds=600'],
    });
    cleanup.push(() => exporter.stop());
    const instance = exporter.instance as ButlerExporter;
    const up = (text: string, target: FakeButlerServer) => sampleValue(text, 'butler_target_up', { instance: target.instance });

    let text = await exporter.scrape();
    expect(up(text, a)).toBe(1);
    expect(up(text, b)).toBe(1);
    expect(sampleValue(text, 'butler_reload_status', { instance: b.instance, manager: 'prometheus' })).toBe(200);

    writeFileSync(sd, '[{"targets": [');
    await instance.refreshTargets();
    writeFileSync(sd, JSON.stringify([{ targets: [a.instance, 'not a target'] }]));
    await instance.refreshTargets();
    text = await exporter.scrape();
    expect(sampleValue(text, 'fleetwatch_rejected_requests_total', { exporter: 'butler', reason: 'invalid_file_sd' })).toBe(2);

    // b is no longer listed: no longer scraped; only its counters are kept for the grace period.
    const scrapesOfB = b.scrapes;
    const reloadsOfB = { instance: b.instance, manager: 'prometheus', result: 'success' };
    clock.advance(599_000);
    await instance.scrapeAll();
    text = await exporter.scrape();
    expect(b.scrapes).toBe(scrapesOfB);
    expect(up(text, b)).toBeUndefined();
    expect(sampleValue(text, 'butler_reload_status', { instance: b.instance, manager: 'prometheus' })).toBeUndefined();
    expect(sampleValue(text, 'butler_reloads_total', reloadsOfB)).toBe(0);

    clock.advance(1000);
    await instance.scrapeAll();
    text = await exporter.scrape();
    expect(sampleValue(text, 'butler_reloads_total', reloadsOfB)).toBeUndefined();
    expect(up(text, a)).toBe(1);
  });

  it('records later target lists after one could not be committed', async () => {
    const clock = new ManualClock();
    const sd = join(tempDir(), 'butlers.json');
    const list = (...targets: string[]) => writeFileSync(sd, JSON.stringify([{ targets }]));
    list('127.0.0.1:9', '127.0.0.1:10');
    const dataDir = tempDir();
    const store = SqliteStore.open(dataDir, 'butler');
    // The store's own write, made to fail as a full disk would.
    const internals = store as unknown as { apply: (changes: unknown) => void };
    const working = internals.apply;
    const config = loadConfig(butlerConfigSchema, { sets: ['listen.host=127.0.0.1', 'listen.port=0', `file_sd.files=["${sd}"]`, 'file_sd.refresh_seconds=3600', 'scrape.interval_seconds=3600'] });
    const running = await startExporter(butlerExporter, config, { dataDir, clock, log: silentLogger, env: {}, store });
    cleanup.push(() => running.stop());
    const instance = running.instance as ButlerExporter;

    internals.apply = () => {
      throw new Error('SQLITE_FULL: database or disk is full');
    };
    list('127.0.0.1:10');
    await instance.refreshTargets();
    internals.apply = working;
    list('127.0.0.1:10', '127.0.0.1:11');
    await instance.refreshTargets();
    expect(['127.0.0.1:9', '127.0.0.1:10', '127.0.0.1:11'].map((t) => instance.model.knows(t))).toEqual([false, true, true]);
    // What the failed commit held was written with the next one.
    expect(await store.load('targets')).toEqual([['127.0.0.1:9\ttarget', expect.objectContaining({ removedAt: clock.now() })]]);
  });
});
