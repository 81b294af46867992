/**
 * The exporter killed with SIGKILL and started again on the same data dir:
 * the baseline of the last good scrape, everything derived, accepted log
 * lines and the log file's read position all survive.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildExporter, type ChildExporter } from '../support/child-exporter.js';
import { sampleValue, tempDir } from '../support/exporter.js';
import { FakeButlerMetrics } from '../../sim/butler/fake-butler-metrics.js';
import { startFakeButler, type FakeButlerServer } from '../../sim/butler/fake-butler-server.js';
import { butlerCycle, logLine } from './scenario.js';

const running: ChildExporter[] = [];
let fake: FakeButlerServer | undefined;
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
  await fake?.close();
});

async function start(dataDir: string, logPath: string): Promise<ChildExporter> {
  const child = await startChildExporter({
    module: 'exporters/butler/index.ts',
    exportName: 'butlerExporter',
    dataDir,
    // Scrapes and log polls at start only: each start is one step.
    sets: [`targets=["${fake!.instance}"]`, 'scrape.interval_seconds=3600', 'logs.poll_interval_seconds=3600', `logs.files=[{path: "${logPath}", instance: "${fake!.instance}"}]`],
  });
  running.push(child);
  return child;
}

const metricsOf = async (child: ChildExporter) => (await fetch(`${child.url}/metrics`)).text();

describe('butler exporter across kill -9', () => {
  it('keeps the scrape baseline, derived values, POSTed log codes and the log position', async () => {
    const dataDir = tempDir();
    const logPath = join(tempDir(), 'butler.log');
    writeFileSync(logPath, '');
    const now = () => Date.now() / 1000;
    const butler = new FakeButlerMetrics(now() - 3600);
    butlerCycle(butler, now() - 600, { changed: ['prometheus', 'alertmanager'] });
    fake = await startFakeButler(butler.text());
    const prometheus = () => ({ instance: fake!.instance, manager: 'prometheus' });

    // First run: the first scrape (at start) gives the baseline.
    let child = await start(dataDir, logPath);
    expect(sampleValue(await metricsOf(child), 'butler_reload_status', prometheus())).toBe(200);
    await child.kill9();

    // While it is down, Butler fails a reload and restores its LKG, and logs the code.
    butler.write('prometheus.yml', true, now()).reload('prometheus', false, now()).restore('prometheus');
    fake.serve(butler.text());
    const failedAt = Math.floor(now());
    appendFileSync(logPath, `${logLine(failedAt, 'error', 'HTTPReloader::Reload()[count=9][manager=prometheus]: received bad response from server. http_code=503')}\n`);

    // Second run: compared with the first run's baseline, and the line written meanwhile read.
    child = await start(dataDir, logPath);
    let text = await metricsOf(child);
    expect(sampleValue(text, 'butler_reloads_total', { ...prometheus(), result: 'failure' })).toBe(1);
    expect(sampleValue(text, 'butler_lkg_restores_total', prometheus())).toBe(1);
    expect(sampleValue(text, 'butler_reload_status', prometheus())).toBe(503);
    expect(sampleValue(text, 'butler_reload_time', prometheus())).toBe(failedAt);

    // A code POSTed and answered 202 is committed before the answer. Its time is
    // not in the future (a line from the future is taken as logged now).
    const postedAt = Math.floor(now());
    const posted = await fetch(`${child.url}/api/v1/butler/logs?instance=${fake.instance}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: logLine(postedAt, 'error', 'HTTPReloader::Reload()[count=9][manager=prometheus]: received bad response from server. http_code=502'),
    });
    expect(posted.status).toBe(202);
    await child.kill9();

    // Third run: nothing new from Butler or the file; nothing counted twice, nothing lost.
    child = await start(dataDir, logPath);
    text = await metricsOf(child);
    expect(sampleValue(text, 'butler_reload_status', prometheus())).toBe(502);
    expect(sampleValue(text, 'butler_reload_time', prometheus())).toBe(postedAt);
    expect(sampleValue(text, 'butler_reloads_total', { ...prometheus(), result: 'failure' })).toBe(1);
    expect(sampleValue(text, 'butler_lkg_restores_total', prometheus())).toBe(1);
  });
});
