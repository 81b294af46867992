/**
 * The connectors simulator against the real connectors exporter: the
 * exporter finds the instances in the simulator's file_sd file, probes their
 * health ports and hears their OTLP; each fault drives the exporter's model
 * into the condition its alert watches, and clearing it brings the model
 * back. Everything runs on short real intervals (probes every 0.15 s,
 * heartbeats every 0.25 s); the exporter's clock is manual, and moved only
 * where an alert measures silence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorsExporter, type ConnectorsExporter } from '../../exporters/connectors/index.js';
import { ConnectorsModel, type InstanceRecord } from '../../exporters/connectors/model.js';
import { checkConnectorGroups } from '../../exporters/connectors/sources/file-sd.js';
import { parseFileSd } from '../../exporters/core/file-sd.js';
import { silentLogger } from '../../exporters/core/log.js';
import { connectorsSimSchema } from '../../sim/connectors/config.js';
import { ConnectorsSimulator } from '../../sim/connectors/simulator.js';
import type { InjectedFault } from '../../sim/lib/types.js';
import { sampleValue, startTestExporter, tempDir, type TestExporter } from '../support/exporter.js';

const CONNECTORS = ['postgres-prod', 'snowflake', 'bigquery', 'mysql-billing', 'mongodb-events'];
const PER_CONNECTOR = 3;
const VERSION = '1.36.2';
const SKEW_VERSION = '1.37.0';
const HEARTBEAT_SECONDS = 0.25;

interface Running {
  exporter: TestExporter;
  connectors: ConnectorsExporter;
  sim: ConnectorsSimulator;
  sdFile: string;
}

/** The exporter, probing every 0.15 s the targets of a file the simulator writes, then the simulator. */
async function startBoth(sim: Record<string, unknown>): Promise<Running> {
  const sdFile = join(tempDir('fleetwatch-sim-connectors-'), 'connectors.json');
  const exporter = await startTestExporter(connectorsExporter, {
    sets: ['probe.interval_seconds=0.15', 'probe.timeout_seconds=1', `file_sd.files=[${sdFile}]`, 'file_sd.refresh_seconds=3600'],
  });
  const config = connectorsSimSchema.parse({
    otlp_url: `${exporter.url}/v1/metrics`,
    file_sd_path: sdFile,
    base_port: 0,
    heartbeat_seconds: HEARTBEAT_SECONDS,
    startup_seconds: 0.3,
    // Four probe intervals each, so the exporter sees every drain and every downtime.
    drain_seconds: 0.6,
    down_seconds: 0.6,
    crash_loop_seconds: 0.6,
    discovery_rewrite_seconds: 0.2,
    ...sim,
  });
  const simulator = new ConnectorsSimulator(config, silentLogger);
  await simulator.start();
  return { exporter, connectors: exporter.instance as ConnectorsExporter, sim: simulator, sdFile };
}

/** Waits, bounded, for the exporter to have heard what the simulated instances said. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(condition(), what).toBe(true);
}

describe('the connectors simulator, fault by fault', () => {
  let run: Running;
  const model = () => run.connectors.model;
  const records = () => [...model().all()].map(([, r]) => r);
  /** An injected fault's target, `connector/host:port`, as the exporter's record. */
  const record = (target: string): InstanceRecord => {
    const slash = target.indexOf('/');
    return model().get(target.slice(0, slash), target.slice(slash + 1))!;
  };
  const keyOf = (r: InstanceRecord) => ConnectorsModel.key(r.connector, r.instance);
  const summary = (connector: string) => model().summaries().get(connector)!;
  const stops = (connector: string) => [...model().connectors()].find((t) => t.connector === connector)!.stops;
  const pingsOf = (r: InstanceRecord) => r.pings?.total ?? 0;
  /** Every instance ready on the fleet's version, heard over OTLP: where each test starts and must end. */
  const fleetHealthy = () =>
    records().length === CONNECTORS.length * PER_CONNECTOR &&
    records().every((r) => r.state === 'ready' && r.heartbeatSource === 'otlp' && r.version === VERSION && (r.memoryPercent ?? 100) < 90) &&
    CONNECTORS.every((c) => summary(c).readyInstances === PER_CONNECTOR && summary(c).versions === 1);
  /** Real time passing, measured in heartbeats the exporter hears from `target`. */
  const heartbeatsFrom = async (target: string, count: number) => {
    const from = pingsOf(record(target));
    await until(() => pingsOf(record(target)) >= from + count, `${count} more heartbeats from ${target}`);
  };

  beforeAll(async () => {
    run = await startBoth({ connectors: CONNECTORS, instances_per_connector: PER_CONNECTOR, version: VERSION, skew_version: SKEW_VERSION, churn_interval_seconds: 3600 });
    await until(fleetHealthy, 'every instance discovered, probed ready and heard over OTLP');
  });

  afterAll(async () => {
    await run?.sim.stop();
    await run?.exporter.stop();
  });

  it('brings up every instance, probed and heard over OTLP as one instance each', async () => {
    // No instance known only from OTLP: service.instance.id joined every sender to its probed address.
    expect(records().every((r) => r.source === 'file_sd')).toBe(true);
    expect(model().discoveryTargets.get('file_sd')).toBe(CONNECTORS.length * PER_CONNECTOR);
    const text = await run.exporter.scrape();
    const one = records()[0]!;
    expect(sampleValue(text, 'connector_up', { connector: one.connector, instance: one.instance })).toBe(1);
    expect(sampleValue(text, 'connector_info', { connector: one.connector, instance: one.instance, version: VERSION })).toBe(1);
    expect(sampleValue(text, 'connector_active_connections', { connector: one.connector, instance: one.instance })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(text, 'connector_control_plane_pings_total', { connector: one.connector, instance: one.instance })).toBeGreaterThan(0);
    expect(sampleValue(text, 'fleetwatch_rejected_requests_total', { exporter: 'connectors', reason: 'missing_instance_id' }) ?? 0).toBe(0);
  });

  it('connector-no-ready-instance: every instance alive and not ready, then ready again', async () => {
    const { target } = await run.sim.inject('connector-no-ready-instance');
    await until(() => summary(target).readyInstances === 0, 'no ready instance');
    const group = records().filter((r) => r.connector === target);
    expect(group).toHaveLength(PER_CONNECTOR);
    expect(group.every((r) => r.state === 'draining' && run.connectors.model.probe(keyOf(r))?.health.status === 200)).toBe(true);
    await run.sim.clear('connector-no-ready-instance');
    await until(fleetHealthy, 'the fleet healthy again');
  });

  it('connector-redundancy-lost: one ready instance left, the others drained and down; then all back', async () => {
    const { target } = await run.sim.inject('connector-redundancy-lost');
    const before = { ...stops(target) };
    await until(() => summary(target).readyInstances === 1 && records().filter((r) => r.connector === target && r.state === 'down').length === PER_CONNECTOR - 1, 'one ready, the rest down');
    expect(stops(target).graceful).toBe(before.graceful + PER_CONNECTOR - 1);
    expect(stops(target).unexpected).toBe(before.unexpected);
    await run.sim.clear('connector-redundancy-lost');
    await until(fleetHealthy, 'the fleet healthy again');
  });

  it('connector-instance-down: down after an unexpected stop, then restarted', async () => {
    const { target } = await run.sim.inject('connector-instance-down');
    const connector = record(target).connector;
    const before = stops(connector).unexpected;
    await until(() => record(target).state === 'down', 'the instance down');
    expect(stops(connector).unexpected).toBe(before + 1);
    expect(summary(connector).readyInstances).toBe(PER_CONNECTOR - 1);
    await run.sim.clear('connector-instance-down');
    await until(fleetHealthy, 'the fleet healthy again');
    expect(record(target).restarts).toBeGreaterThanOrEqual(1);
  });

  it('connector-crash-loop: unexpected stops keep coming, then stop', async () => {
    const { target } = await run.sim.inject('connector-crash-loop');
    const connector = record(target).connector;
    const before = stops(connector).unexpected;
    await until(() => stops(connector).unexpected >= before + 3, 'three unexpected stops');
    await run.sim.clear('connector-crash-loop');
    await until(fleetHealthy, 'the fleet healthy again');
    const after = stops(connector).unexpected;
    await heartbeatsFrom(target, 4);
    expect(stops(connector).unexpected).toBe(after);
  });

  it('connector-stuck-starting: restarted and still starting long after its startup time; then ready', async () => {
    const { target } = await run.sim.inject('connector-stuck-starting');
    const connector = record(target).connector;
    const before = { ...stops(connector) };
    await until(() => record(target).state === 'starting', 'the instance starting');
    expect(stops(connector)).toEqual({ graceful: before.graceful + 1, unexpected: before.unexpected });
    // Its heartbeats show it running for several times its 0.3 s startup, and still not ready.
    await heartbeatsFrom(target, 5);
    await run.connectors.probeRound();
    expect(record(target).state).toBe('starting');
    expect(run.connectors.model.probe(keyOf(record(target)))?.ready.status).toBe(503);
    await run.sim.clear('connector-stuck-starting');
    await until(fleetHealthy, 'the fleet healthy again');
  });

  it('connector-heartbeat-stopped: no heartbeat for over 90 s while /health answers; then heartbeats again', async () => {
    const { target } = await run.sim.inject('connector-heartbeat-stopped');
    const now = run.exporter.clock.advance(91_000);
    const others = () => records().filter((r) => r !== record(target));
    await until(() => others().every((r) => r.lastHeartbeat === now), 'every other instance heard at the new time');
    await run.connectors.probeRound();
    expect(now - record(target).lastHeartbeat!).toBeGreaterThan(90_000);
    expect(run.connectors.model.probe(keyOf(record(target)))?.health.status).toBe(200);
    await run.sim.clear('connector-heartbeat-stopped');
    await until(() => record(target).lastHeartbeat === now, 'heartbeats again');
    await until(fleetHealthy, 'the fleet healthy again');
  });

  it('connector-pings-stopped: no ping for over 300 s while heartbeats come; then pings again', async () => {
    const { target } = await run.sim.inject('connector-pings-stopped');
    const now = run.exporter.clock.advance(301_000);
    await until(() => records().every((r) => r.lastHeartbeat === now) && records().filter((r) => r !== record(target)).every((r) => r.lastPing === now), 'heartbeats from all, pings from the others, at the new time');
    expect(now - record(target).lastPing!).toBeGreaterThan(300_000);
    await run.sim.clear('connector-pings-stopped');
    await until(() => record(target).lastPing === now, 'pings again');
    await until(fleetHealthy, 'the fleet healthy again');
  });

  it('connector-memory-high: memory over 90% while heartbeats come; then back down', async () => {
    const { target } = await run.sim.inject('connector-memory-high');
    await until(() => (record(target).memoryPercent ?? 0) > 90, 'memory over 90%');
    expect(records().filter((r) => (r.memoryPercent ?? 0) > 90)).toHaveLength(1);
    await run.sim.clear('connector-memory-high');
    await until(() => (record(target).memoryPercent ?? 100) < 90, 'memory under 90%');
    await until(fleetHealthy, 'the fleet healthy again');
  });

  it('connector-version-skew: two versions live in one connector; then one again', async () => {
    const { target } = await run.sim.inject('connector-version-skew');
    const connector = target.slice(0, target.indexOf('/'));
    await until(() => record(target).version === SKEW_VERSION && record(target).state === 'ready', 'the instance back, on the other version');
    expect(summary(connector).versions).toBe(2);
    await run.sim.clear('connector-version-skew');
    await until(fleetHealthy, 'the fleet healthy again, on one version');
  });

  it('connector-discovery-invalid: the file refused again and again, the last good targets kept; then valid again', async () => {
    const errors = () => model().discoveryErrors.get('file_sd') ?? 0;
    const before = errors();
    const { target } = await run.sim.inject('connector-discovery-invalid');
    expect(target).toBe(run.sdFile);
    await until(() => errors() >= before + 3, 'three refused rewrites');
    expect(records().every((r) => r.source === 'file_sd' && r.removedAt === undefined)).toBe(true);
    const sample = records()[0]!;
    await run.sim.clear('connector-discovery-invalid');

    const groups = parseFileSd(readFileSync(run.sdFile, 'utf8'), run.sdFile);
    checkConnectorGroups(groups, run.sdFile, 'connector');
    expect(groups.flatMap((g) => g.targets)).toHaveLength(CONNECTORS.length * PER_CONNECTOR);
    // No more refusals: a while (counted in heartbeats) after the last one, the count stands still.
    const target0 = `${sample.connector}/${sample.instance}`;
    await heartbeatsFrom(target0, 3);
    const settled = errors();
    await heartbeatsFrom(target0, 3);
    expect(errors()).toBe(settled);
    expect(fleetHealthy()).toBe(true);
  });

  it('lands simultaneous faults on separate entities, never two unready instances in one connector', async () => {
    const names = run.sim.faults.filter((f) => !f.exclusive).map((f) => f.name);
    const injected: InjectedFault[] = [];
    for (const name of names) injected.push(await run.sim.inject(name));
    expect(run.sim.active().map((a) => a.fault).sort()).toEqual([...names].sort());
    const targetOf = (name: string) => injected.find((i) => i.fault === name)!.target;
    const connectorOf = (name: string) => targetOf(name).split('/')[0]!;
    const unready = ['connector-instance-down', 'connector-crash-loop', 'connector-stuck-starting', 'connector-version-skew'];
    expect(new Set([targetOf('connector-redundancy-lost'), ...unready.map(connectorOf)]).size).toBe(unready.length + 1);
    const instanceTargets = injected.filter((i) => i.target.includes('/')).map((i) => i.target);
    expect(new Set(instanceTargets).size).toBe(instanceTargets.length);

    const lost = targetOf('connector-redundancy-lost');
    await until(
      () => summary(lost).readyInstances === 1 && record(targetOf('connector-instance-down')).state === 'down' && record(targetOf('connector-stuck-starting')).state === 'starting',
      'the faults in effect',
    );
    for (const c of CONNECTORS) if (c !== lost) expect(summary(c).readyInstances, c).toBeGreaterThanOrEqual(2);

    for (const name of names) await run.sim.clear(name);
    expect(run.sim.active()).toEqual([]);
    await until(fleetHealthy, 'the fleet healthy again');
  });
});

describe('the connectors simulator, churning', () => {
  let run: Running;

  beforeAll(async () => {
    run = await startBoth({ connectors: ['postgres-prod', 'snowflake'], instances_per_connector: 3, churn_interval_seconds: 0.5 });
  });

  afterAll(async () => {
    await run?.sim.stop();
    await run?.exporter.stop();
  });

  it('restarts instances gracefully, one at a time, never below two ready, with nothing an alert would take for a fault', async () => {
    const model = run.connectors.model;
    const totals = () => [...model.connectors()];
    const restarts = () => [...model.all()].reduce((n, [, r]) => n + r.restarts, 0);
    let lowestReady = Infinity;
    let highestMemory = 0;
    await until(() => {
      // Sampled every 20 ms, after every instance has been seen once.
      if ([...model.all()].length === 6 && [...model.all()].every(([, r]) => r.state !== undefined)) {
        for (const s of model.summaries().values()) lowestReady = Math.min(lowestReady, s.readyInstances);
      }
      for (const [, r] of model.all()) highestMemory = Math.max(highestMemory, r.memoryPercent ?? 0);
      return totals().reduce((n, t) => n + t.stops.graceful, 0) >= 3 && restarts() >= 3;
    }, 'three graceful restarts');
    expect(totals().every((t) => t.stops.unexpected === 0)).toBe(true);
    expect(lowestReady).toBe(2);
    expect(highestMemory).toBeLessThan(90);
  });
});
