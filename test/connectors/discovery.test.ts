import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectorsExporter, type ConnectorsExporter } from '../../exporters/connectors/index.js';
import { promtoolCheckMetrics } from '../support/binaries.js';
import { sampleValue, startTestExporter, tempDir, type TestExporter } from '../support/exporter.js';
import { DnsResponder } from './dns-responder.js';
import { FakeConnector } from '../../sim/connectors/fake-connector.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(hosts?: string[]): Promise<FakeConnector> {
  const f = await FakeConnector.start('ready', hosts);
  cleanups.push(() => f.close());
  return f;
}

async function start(sets: string[]): Promise<{ exporter: TestExporter; instance: ConnectorsExporter; round: () => Promise<string> }> {
  const exporter = await startTestExporter(connectorsExporter, { sets: ['probe.interval_seconds=3600', 'grace_period_seconds=300', ...sets] });
  cleanups.push(() => exporter.stop());
  const instance = exporter.instance as ConnectorsExporter;
  await instance.probeRound();
  return {
    exporter,
    instance,
    round: async () => {
      await instance.probeRound();
      return exporter.scrape();
    },
  };
}

const instancesOf = (text: string, connector: string) =>
  [...text.matchAll(/^connector_info\{connector="([^"]*)",instance="([^"]*)"/gm)].filter((m) => m[1] === connector).map((m) => m[2]).sort();

describe('file_sd discovery', () => {
  it('picks up a file edited while running, keeps the last good targets when it turns bad, and drops removed instances after the grace period', async () => {
    const [a, b] = [await fake(), await fake()];
    const dir = tempDir();
    const file = join(dir, 'connectors.json');
    writeFileSync(file, JSON.stringify([{ targets: [a.address], labels: { connector: 'pg' } }]));
    const { exporter, instance, round } = await start([`file_sd.files=[${file}]`]);
    expect(instancesOf(await exporter.scrape(), 'pg')).toEqual([a.address]);

    // Edited: a second instance, picked up by the watcher.
    let changed = once(instance.discovery, 'targets');
    writeFileSync(file, JSON.stringify([{ targets: [a.address, b.address], labels: { connector: 'pg' } }]));
    await changed;
    let text = await round();
    expect(instancesOf(text, 'pg')).toEqual([a.address, b.address].sort());
    expect(sampleValue(text, 'connector_ready_instances', { connector: 'pg' })).toBe(2);
    expect(sampleValue(text, 'connector_discovery_targets', { source: 'file_sd' })).toBe(2);

    // Broken JSON, then a group without the connector label: both refused, counted, the targets stay.
    for (const bad of ['[{"targets": [', JSON.stringify([{ targets: [a.address] }])]) {
      const failed = once(instance.discovery, 'failure');
      writeFileSync(file, bad);
      const [source, message] = (await failed) as [string, string];
      expect(source).toBe('file_sd');
      expect(message).toContain(file);
    }
    text = await round();
    expect(sampleValue(text, 'fleetwatch_rejected_requests_total', { exporter: 'connectors', reason: 'invalid_discovery_file' })).toBe(2);
    expect(sampleValue(text, 'connector_discovery_errors_total', { source: 'file_sd' })).toBe(2);
    expect(instancesOf(text, 'pg')).toEqual([a.address, b.address].sort());

    // b leaves: still shown (and probed) through the grace period, then gone.
    changed = once(instance.discovery, 'targets');
    writeFileSync(file, JSON.stringify([{ targets: [a.address], labels: { connector: 'pg' } }]));
    await changed;
    exporter.clock.advance(299_000);
    await instance.tick();
    expect(instancesOf(await round(), 'pg')).toEqual([a.address, b.address].sort());
    exporter.clock.advance(1_000);
    await instance.tick();
    text = await exporter.scrape();
    expect(instancesOf(text, 'pg')).toEqual([a.address]);
    expect(sampleValue(text, 'connector_up', { connector: 'pg', instance: b.address })).toBeUndefined();
    expect(promtoolCheckMetrics(text)).toBe('');
  });
});

describe('DNS discovery', () => {
  it('re-resolves A and AAAA records every round, follows their changes, and keeps the last good answer when the server fails', async () => {
    const dns = await DnsResponder.start();
    cleanups.push(() => dns.close());
    // One connector process reachable on both loopback addresses: two instances behind one name.
    const conn = await fake(['127.0.0.1', '::1']);
    const name = 'pg.connectors.test';
    dns.set(name, { a: ['127.0.0.1'] });
    const v4 = `127.0.0.1:${conn.port}`;
    const v6 = `[::1]:${conn.port}`;

    const { exporter, instance, round } = await start([`dns.servers=[${dns.server}]`, `dns.names=[{name: ${name}, connector: pg, port: ${conn.port}}]`]);
    let text = await exporter.scrape();
    expect(instancesOf(text, 'pg')).toEqual([v4]);
    expect(sampleValue(text, 'connector_ready', { connector: 'pg', instance: v4 })).toBe(1);

    dns.set(name, { a: ['127.0.0.1'], aaaa: ['::1'] });
    text = await round();
    expect(instancesOf(text, 'pg')).toEqual([v4, v6].sort());
    expect(sampleValue(text, 'connector_ready', { connector: 'pg', instance: v6 })).toBe(1);
    expect(sampleValue(text, 'connector_ready_instances', { connector: 'pg' })).toBe(2);
    expect(sampleValue(text, 'connector_discovery_targets', { source: 'dns' })).toBe(2);

    dns.failing = true;
    const queries = dns.queries;
    text = await round();
    expect(dns.queries).toBeGreaterThan(queries);
    expect(sampleValue(text, 'connector_discovery_errors_total', { source: 'dns' })).toBe(1);
    expect(instancesOf(text, 'pg')).toEqual([v4, v6].sort());

    dns.failing = false;
    dns.set(name, { aaaa: ['::1'] });
    text = await round();
    // Gone from DNS, kept through the grace period.
    expect(instancesOf(text, 'pg')).toEqual([v4, v6].sort());
    exporter.clock.advance(300_000);
    await instance.tick();
    text = await exporter.scrape();
    expect(instancesOf(text, 'pg')).toEqual([v6]);
    expect(sampleValue(text, 'connector_ready_instances', { connector: 'pg' })).toBe(1);

    // No records (NODATA), or no such name (NXDOMAIN): no instances, and not a failure.
    dns.set(name, {});
    text = await round();
    expect(sampleValue(text, 'connector_discovery_targets', { source: 'dns' })).toBe(0);
    dns.set(name, { a: ['127.0.0.1'] });
    text = await round();
    expect(sampleValue(text, 'connector_discovery_targets', { source: 'dns' })).toBe(1);
    dns.remove(name);
    text = await round();
    expect(sampleValue(text, 'connector_discovery_targets', { source: 'dns' })).toBe(0);
    expect(sampleValue(text, 'connector_discovery_errors_total', { source: 'dns' })).toBe(1);
  });
});
