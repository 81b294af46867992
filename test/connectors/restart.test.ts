import { afterEach, describe, expect, it } from 'vitest';
import { startChildExporter, type ChildExporter } from '../support/child-exporter.js';
import { sampleValue, tempDir } from '../support/exporter.js';
import { FakeConnector } from '../../sim/connectors/fake-connector.js';
import { SdkConnector } from '../../sim/connectors/sdk-connector.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const T1 = Date.UTC(2026, 2, 1, 10, 0, 0);
const T2 = T1 + 3_600_000;

async function start(dataDir: string, frozenClockMs: number, targets: string[]): Promise<ChildExporter> {
  const child = await startChildExporter({
    module: 'exporters/connectors/index.ts',
    exportName: 'connectorsExporter',
    dataDir,
    frozenClockMs,
    // Rounds every 50 ms of real time; the frozen clock keeps the model's times fixed.
    sets: ['probe.interval_seconds=0.05', `static=[{connector: pg, targets: [${targets.join(', ')}]}]`],
  });
  cleanups.push(() => child.stop());
  return child;
}

/**
 * Resolves once a round that began after the call is committed. Rounds do
 * not overlap and each commits before the next begins: the witness's next
 * probe may belong to a round already under way, the one after to a round
 * begun after the call, and the third shows that round committed.
 */
async function roundCommitted(witness: FakeConnector): Promise<void> {
  for (let i = 0; i < 3; i++) await witness.nextRequest('/health');
}

const scrape = async (child: ChildExporter) => (await fetch(`${child.url}/metrics`)).text();

describe('connectors exporter across kill -9', () => {
  it('keeps lifecycle, stops, heartbeats and OTLP readings that were committed', async () => {
    const witness = await FakeConnector.start('ready');
    const leaving = await FakeConnector.start('ready');
    cleanups.push(() => witness.close(), () => leaving.close());
    const dataDir = tempDir();

    const first = await start(dataDir, T1, [witness.address, leaving.address]);
    await roundCommitted(witness);
    leaving.mode = 'draining';
    await roundCommitted(witness);
    await leaving.close();
    await roundCommitted(witness);

    const sdk = new SdkConnector({ url: `${first.url}/v1/metrics`, protocol: 'protobuf', attributes: { 'service.instance.id': 'conn-otlp-1', ConnectorName: 'redshift', 'service.version': '1.36.2' } });
    cleanups.push(() => sdk.shutdown());
    sdk.heartbeat().ping(4).memory(61);
    // Answered 200 only once committed.
    await sdk.flush();

    const before = await scrape(first);
    const leavingId = { connector: 'pg', instance: leaving.address };
    const otlpId = { connector: 'redshift', instance: 'conn-otlp-1' };
    expect(sampleValue(before, 'connector_lifecycle_state', { ...leavingId, state: 'down' })).toBe(1);
    expect(sampleValue(before, 'connector_stops_total', { connector: 'pg', kind: 'graceful' })).toBe(1);
    await first.kill9();

    const second = await start(dataDir, T2, [witness.address, leaving.address]);
    await roundCommitted(witness);
    const after = await scrape(second);
    // Still down since T1: restored, not re-derived at T2 (a first sight of a closed port counts no stop).
    expect(sampleValue(after, 'connector_lifecycle_state', { ...leavingId, state: 'down' })).toBe(1);
    expect(sampleValue(after, 'connector_lifecycle_state_since_timestamp_seconds', leavingId)).toBe(T1 / 1000);
    expect(sampleValue(after, 'connector_stops_total', { connector: 'pg', kind: 'graceful' })).toBe(1);
    expect(sampleValue(after, 'connector_lifecycle_state_since_timestamp_seconds', { connector: 'pg', instance: witness.address })).toBe(T1 / 1000);
    expect(sampleValue(after, 'connector_info', { ...otlpId, version: '1.36.2' })).toBe(1);
    expect(sampleValue(after, 'connector_last_heartbeat_timestamp_seconds', otlpId)).toBe(T1 / 1000);
    expect(sampleValue(after, 'connector_control_plane_pings_total', otlpId)).toBe(4);
    expect(sampleValue(after, 'connector_memory_usage_percent', otlpId)).toBe(61);
  });
});
