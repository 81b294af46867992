import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectorsExporter, type ConnectorsExporter } from '../../exporters/connectors/index.js';
import { promtoolCheckMetrics } from '../support/binaries.js';
import { sampleValue, startTestExporter, type TestExporter } from '../support/exporter.js';
import { FakeConnector, type ConnectorMode } from '../../sim/connectors/fake-connector.js';

const exporters: TestExporter[] = [];
const fakes: FakeConnector[] = [];
afterEach(async () => {
  await Promise.all(exporters.splice(0).map((e) => e.stop()));
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function fake(mode: ConnectorMode): Promise<FakeConnector> {
  const f = await FakeConnector.start(mode);
  fakes.push(f);
  return f;
}

/** The exporter probing the given addresses as connector "pg"; rounds only when the test says. */
async function probing(addresses: string[], sets: string[] = []): Promise<{ exporter: TestExporter; round: () => Promise<string> }> {
  const exporter = await startTestExporter(connectorsExporter, {
    sets: ['probe.interval_seconds=3600', `static=[{connector: pg, targets: [${addresses.join(', ')}]}]`, ...sets],
  });
  exporters.push(exporter);
  const instance = exporter.instance as ConnectorsExporter;
  // The first round started with the exporter; wait for it.
  await instance.probeRound();
  return {
    exporter,
    round: async () => {
      await instance.probeRound();
      return exporter.scrape();
    },
  };
}

/** A loopback port nothing listens on. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function lifecycle(text: string, instance: string): string | undefined {
  const states = ['starting', 'ready', 'draining', 'down'].filter((state) => sampleValue(text, 'connector_lifecycle_state', { connector: 'pg', instance, state }) === 1);
  expect(states.length).toBeLessThanOrEqual(1);
  return states[0];
}

describe('probes of real HTTP servers acting as connector instances', () => {
  it('follow an instance through its whole life: starting, ready, draining, gone, and back', async () => {
    const conn = await fake('starting');
    const { exporter, round } = await probing([conn.address]);
    const id = { connector: 'pg', instance: conn.address };
    const startedAt = exporter.clock.now();

    let text = await exporter.scrape();
    expect(lifecycle(text, conn.address)).toBe('starting');
    expect(sampleValue(text, 'connector_up', id)).toBe(1);
    expect(sampleValue(text, 'connector_ready', id)).toBe(0);
    expect(sampleValue(text, 'connector_probe_http_status_code', { ...id, endpoint: 'health' })).toBe(200);
    expect(sampleValue(text, 'connector_probe_http_status_code', { ...id, endpoint: 'ready' })).toBe(503);
    expect(sampleValue(text, 'connector_ready_instances', { connector: 'pg' })).toBe(0);

    exporter.clock.advance(25_000);
    conn.mode = 'ready';
    text = await round();
    expect(lifecycle(text, conn.address)).toBe('ready');
    expect(sampleValue(text, 'connector_ready', id)).toBe(1);
    expect(sampleValue(text, 'connector_ready_instances', { connector: 'pg' })).toBe(1);
    expect(sampleValue(text, 'connector_lifecycle_state_since_timestamp_seconds', id)).toBe(startedAt / 1000 + 25);
    expect(sampleValue(text, 'connector_time_to_ready_seconds_sum', { connector: 'pg' })).toBe(25);
    expect(sampleValue(text, 'connector_time_to_ready_seconds_bucket', { connector: 'pg', le: '30' })).toBe(1);
    expect(sampleValue(text, 'connector_time_to_ready_seconds_bucket', { connector: 'pg', le: '20' })).toBe(0);
    // Successful liveness probes stand in for heartbeats when no OTLP comes.
    expect(sampleValue(text, 'connector_last_heartbeat_timestamp_seconds', id)).toBe(exporter.clock.now() / 1000);

    exporter.clock.advance(10_000);
    conn.mode = 'draining';
    text = await round();
    expect(lifecycle(text, conn.address)).toBe('draining');
    expect(sampleValue(text, 'connector_up', id)).toBe(1);
    expect(sampleValue(text, 'connector_ready_instances', { connector: 'pg' })).toBe(0);

    exporter.clock.advance(10_000);
    await conn.close();
    text = await round();
    expect(lifecycle(text, conn.address)).toBe('down');
    expect(sampleValue(text, 'connector_up', id)).toBe(0);
    expect(sampleValue(text, 'connector_probe_http_status_code', { ...id, endpoint: 'health' })).toBe(0);
    expect(sampleValue(text, 'connector_stops_total', { connector: 'pg', kind: 'graceful' })).toBe(1);
    expect(sampleValue(text, 'connector_stops_total', { connector: 'pg', kind: 'unexpected' })).toBe(0);
    expect(sampleValue(text, 'connector_restarts_total', id)).toBe(0);

    // Back on the same port.
    exporter.clock.advance(10_000);
    const again = await FakeConnector.start('ready', ['127.0.0.1'], conn.port);
    fakes.push(again);
    text = await round();
    expect(lifecycle(text, conn.address)).toBe('ready');
    expect(sampleValue(text, 'connector_restarts_total', id)).toBe(1);
    expect(promtoolCheckMetrics(text)).toBe('');
  });

  it('sees a /health that hangs past the timeout as down, with status 0, and the stop as unexpected', async () => {
    const conn = await fake('ready');
    const { exporter, round } = await probing([conn.address], ['probe.timeout_seconds=0.2']);
    const id = { connector: 'pg', instance: conn.address };
    expect(lifecycle(await exporter.scrape(), conn.address)).toBe('ready');

    conn.mode = 'hung';
    exporter.clock.advance(10_000);
    const text = await round();
    expect(lifecycle(text, conn.address)).toBe('down');
    expect(sampleValue(text, 'connector_up', id)).toBe(0);
    expect(sampleValue(text, 'connector_probe_http_status_code', { ...id, endpoint: 'health' })).toBe(0);
    expect(sampleValue(text, 'connector_probe_duration_seconds', { ...id, endpoint: 'health' })).toBeGreaterThanOrEqual(0.19);
    // /ready still answered: the process is there, but liveness decides.
    expect(sampleValue(text, 'connector_probe_http_status_code', { ...id, endpoint: 'ready' })).toBe(503);
    expect(sampleValue(text, 'connector_stops_total', { connector: 'pg', kind: 'unexpected' })).toBe(1);
  });

  it('blames no instance for a probe round that overruns its interval, and counts misses once rounds keep time', async () => {
    const steady = await fake('ready');
    const slow = await fake('ready');
    const { exporter } = await probing([steady.address, slow.address], ['probe.timeout_seconds=0.3']);
    const instance = exporter.instance as ConnectorsExporter;
    const missed = async (f: FakeConnector) => sampleValue(await exporter.scrape(), 'connector_heartbeats_missed_total', { connector: 'pg', instance: f.address });
    const hour = 3_600_000;

    // A round held up by a hung /health outlasts the (hour-long) interval twice over; ticks go on meanwhile.
    slow.mode = 'hung';
    exporter.clock.advance(hour);
    const answered = steady.nextRequest('/health');
    const overrunning = instance.probeRound();
    await answered;
    exporter.clock.advance(2 * hour);
    await instance.tick();
    expect(await missed(steady)).toBe(0);
    await overrunning;
    expect(await missed(steady)).toBe(0);
    expect(await missed(slow)).toBe(0);

    // Rounds on time again: the hung instance's silence counts from the end of the slow round.
    exporter.clock.advance(hour);
    await instance.probeRound();
    exporter.clock.advance(hour / 2);
    await instance.tick();
    expect(await missed(slow)).toBe(0);
    exporter.clock.advance(1);
    await instance.tick();
    expect(await missed(slow)).toBe(1);
    expect(await missed(steady)).toBe(0);
  });

  it('sees a refused port as down with status 0 on both endpoints', async () => {
    const port = await refusedPort();
    const address = `127.0.0.1:${port}`;
    const { exporter } = await probing([address]);
    const text = await exporter.scrape();
    const id = { connector: 'pg', instance: address };
    expect(lifecycle(text, address)).toBe('down');
    expect(sampleValue(text, 'connector_up', id)).toBe(0);
    expect(sampleValue(text, 'connector_ready', id)).toBe(0);
    expect(sampleValue(text, 'connector_probe_http_status_code', { ...id, endpoint: 'health' })).toBe(0);
    expect(sampleValue(text, 'connector_probe_http_status_code', { ...id, endpoint: 'ready' })).toBe(0);
    // Never seen alive: no stop, no heartbeat.
    expect(sampleValue(text, 'connector_stops_total', { connector: 'pg', kind: 'unexpected' })).toBe(0);
    expect(sampleValue(text, 'connector_last_heartbeat_timestamp_seconds', id)).toBeUndefined();
  });

  it('probes targets given without a port on probe.port, at the configured paths', async () => {
    const conn = await fake('ready');
    const { exporter } = await probing(['127.0.0.1'], [`probe.port=${conn.port}`, 'probe.health_path=/ready', 'probe.ready_path=/health']);
    // Swapped paths: each endpoint was asked once, by the other's name.
    expect(conn.requests).toEqual({ health: 1, ready: 1 });
    expect(lifecycle(await exporter.scrape(), conn.address)).toBe('ready');
  });
});
