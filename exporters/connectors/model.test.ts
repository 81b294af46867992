import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { ConnectorsModel, type Changes, type ModelOptions } from './model.js';
import type { Telemetry } from './observations.js';
import type { Target } from './targets.js';

const OPTIONS: ModelOptions = {
  probeIntervalMs: 10_000,
  otlpHeartbeatIntervalMs: 30_000,
  heartbeatTolerance: 1.5,
  gracePeriodMs: 300_000,
  otlpForgetAfterMs: 3_600_000,
  otlpMaxInstances: 2,
  defaultConnector: 'default',
};

const A = '10.0.0.1:8080';
const B = '10.0.0.2:8080';

/** A model on a manual clock with these targets; `restart` starts it at `at` from what an earlier one stored. */
function setup(targets: Array<[string, string]> = [['pg', A]], options: Partial<ModelOptions> = {}, restart?: { stored: Changes; at: number }) {
  const clock = new ManualClock(restart?.at);
  const model = new ConnectorsModel({ ...OPTIONS, ...options }, clock.now());
  if (restart) model.restore(restart.stored.instances.map(([, r]) => r!), restart.stored.connectors.map(([, t]) => t!));
  const setTargets = (list: Array<[string, string]>) =>
    model.apply({ kind: 'targets', at: clock.now(), targets: list.map(([connector, address]): Target => ({ connector, address, source: 'static' })) });
  setTargets(targets);
  const probeIn = (health: number, ready: number, address = A, connector = 'pg') =>
    model.apply({ kind: 'probe', at: clock.now(), key: ConnectorsModel.key(connector, address), health: { status: health, durationMs: 3 }, ready: { status: ready, durationMs: 4 } });
  const startRound = () => model.apply({ kind: 'round_started', at: clock.now() });
  const endRound = () => model.apply({ kind: 'round_completed', at: clock.now() });
  /** A probe round of one instance, taking no time. */
  const probe = (health: number, ready: number, address = A, connector = 'pg') => {
    startRound();
    probeIn(health, ready, address, connector);
    endRound();
  };
  const send = (t: Partial<Telemetry> & { instance: string }) =>
    model.apply({ kind: 'telemetry', at: clock.now(), telemetry: { heartbeat: true, dataPoints: 1, ...t } });
  const totals = (connector = 'pg') => [...model.connectors()].find((t) => t.connector === connector)!;
  return { clock, model, setTargets, probe, probeIn, startRound, endRound, send, totals };
}

describe('connectors model: lifecycle from probes', () => {
  it('follows an instance through starting, ready, draining and down, and back', () => {
    const { clock, model, probe, totals } = setup();
    probe(200, 503);
    expect(model.get('pg', A)).toMatchObject({ state: 'starting', since: clock.now() });
    clock.advance(20_000);
    probe(200, 503);
    clock.advance(10_000);
    probe(200, 200);
    expect(model.get('pg', A)).toMatchObject({ state: 'ready', since: clock.now() });
    expect(totals().timeToReady).toMatchObject({ count: 1, sum: 30 });

    clock.advance(10_000);
    probe(200, 503);
    expect(model.get('pg', A)!.state).toBe('draining');
    clock.advance(10_000);
    probe(0, 0);
    expect(model.get('pg', A)!.state).toBe('down');
    expect(totals().stops).toEqual({ graceful: 1, unexpected: 0 });

    clock.advance(10_000);
    probe(200, 503);
    expect(model.get('pg', A)).toMatchObject({ state: 'starting', restarts: 1 });
    clock.advance(10_000);
    probe(200, 200);
    expect(totals().timeToReady).toMatchObject({ count: 2, sum: 40 });
    clock.advance(10_000);
    probe(0, 0);
    expect(totals().stops).toEqual({ graceful: 1, unexpected: 1 });
  });

  it('keeps the last probe in memory only, and bumps the render version on every probe', () => {
    const { model, probe } = setup();
    const key = ConnectorsModel.key('pg', A);
    model.takeChanges();
    const before = model.version(key);
    probe(0, 0);
    expect(model.version(key)).toBeGreaterThan(before);
    expect(model.probe(key)).toEqual({ health: { status: 0, durationMs: 3 }, ready: { status: 0, durationMs: 4 } });
    const versionAfterFirst = model.version(key);
    model.takeChanges();
    probe(0, 0);
    expect(model.version(key)).toBeGreaterThan(versionAfterFirst);
    // Still down: nothing to store.
    expect(model.takeChanges().instances).toEqual([]);
  });

  it('ignores probe results for instances it no longer tracks', () => {
    const { model, probe } = setup();
    probe(200, 200, B);
    expect(model.get('pg', B)).toBeUndefined();
  });
});

describe('connectors model: heartbeats', () => {
  it('takes successful liveness probes as heartbeats, with gaps and misses on the probe interval', () => {
    const { clock, model, probe, totals } = setup();
    const t0 = clock.now();
    probe(200, 200);
    clock.advance(10_000);
    probe(200, 200);
    expect(totals().heartbeatGaps).toMatchObject({ count: 1, sum: 10 });
    // Two failed probes: silence of 15 s is the threshold (10 s × 1.5), passed at 15.001 s.
    clock.advance(10_000);
    probe(0, 0);
    clock.advance(5_000);
    model.tick(clock.now());
    expect(model.get('pg', A)!.missed).toBe(0);
    clock.advance(1);
    model.tick(clock.now());
    expect(model.get('pg', A)!.missed).toBe(1);
    clock.advance(4_999);
    probe(0, 0);
    clock.advance(5_001);
    model.tick(clock.now());
    expect(model.get('pg', A)!.missed).toBe(2);
    // Ticking again at the same time counts nothing new.
    model.tick(clock.now());
    expect(model.get('pg', A)!.missed).toBe(2);
    clock.advance(4_999);
    probe(200, 200);
    expect(model.get('pg', A)).toMatchObject({ missed: 2, lastHeartbeat: t0 + 40_000 });
    expect(totals().heartbeatGaps).toMatchObject({ count: 2, sum: 40 });
  });

  it('counts misses due when a late heartbeat arrives, even without ticks in between', () => {
    const { clock, model, send } = setup([]);
    send({ instance: 'i-1' });
    clock.advance(80_000);
    send({ instance: 'i-1' });
    // 30 s × 1.5 = 45 s passed (1), then 75 s (2).
    expect(model.get('default', 'i-1')!.missed).toBe(2);
  });

  it('lets OTLP heartbeats take over from probes, on the OTLP interval', () => {
    const { clock, model, probe, send, totals } = setup();
    probe(200, 200);
    clock.advance(5_000);
    send({ instance: '10.0.0.1' });
    const heardAt = clock.now();
    expect(model.get('pg', A)).toMatchObject({ heartbeatSource: 'otlp', lastHeartbeat: heardAt });
    // The switch is not a gap.
    expect(totals().heartbeatGaps.count).toBe(0);
    clock.advance(10_000);
    probe(200, 200);
    expect(model.get('pg', A)!.lastHeartbeat).toBe(heardAt);
    clock.advance(35_000);
    model.tick(clock.now());
    expect(model.get('pg', A)!.missed).toBe(0);
    clock.advance(1);
    model.tick(clock.now());
    expect(model.get('pg', A)!.missed).toBe(1);
    send({ instance: '10.0.0.1' });
    expect(totals().heartbeatGaps).toMatchObject({ count: 1, sum: 45.001 });
  });

  it('does not blame instances for the time the exporter itself was down', () => {
    const first = setup();
    first.probe(200, 200);
    const { clock, model, probe, totals } = setup([['pg', A]], {}, { stored: first.model.takeChanges(), at: first.clock.now() + 3_600_000 });
    expect(model.get('pg', A)).toMatchObject({ state: 'ready', lastHeartbeat: first.clock.now() });
    model.tick(clock.now());
    expect(model.get('pg', A)!.missed).toBe(0);
    probe(200, 200);
    // The hour-long gap spans the exporter's downtime: not observed.
    expect(totals().heartbeatGaps.count).toBe(0);
    clock.advance(10_000);
    probe(0, 0);
    clock.advance(5_001);
    model.tick(clock.now());
    expect(model.get('pg', A)!.missed).toBe(1);
  });

  it('does not blame probed instances for a probe round that overruns its interval', () => {
    const { clock, model, probe, probeIn, startRound, endRound, totals } = setup([['pg', A], ['pg', B]]);
    probe(200, 200, A);
    probe(200, 200, B);
    // The next round is slow (timeouts elsewhere): A answers only after 29 s, B never does; ticks go on meanwhile.
    clock.advance(10_000);
    startRound();
    for (let i = 0; i < 29; i++) {
      clock.advance(1_000);
      model.tick(clock.now());
    }
    probeIn(200, 200, A);
    probeIn(0, 0, B);
    clock.advance(1_000);
    endRound();
    model.tick(clock.now());
    expect(model.get('pg', A)!.missed).toBe(0);
    expect(model.get('pg', B)!.missed).toBe(0);
    // A's 29 s gap was the round's doing: not observed.
    expect(totals().heartbeatGaps.count).toBe(0);

    // Rounds on time again: A's gaps are observed, and B's silence counts from the end of the slow round.
    probe(200, 200, A);
    probe(0, 0, B);
    clock.advance(10_000);
    probe(200, 200, A);
    probe(0, 0, B);
    expect(totals().heartbeatGaps).toMatchObject({ count: 1, sum: 10 });
    clock.advance(5_000);
    model.tick(clock.now());
    expect(model.get('pg', B)!.missed).toBe(0);
    clock.advance(1);
    model.tick(clock.now());
    expect(model.get('pg', B)!.missed).toBe(1);
  });
});

describe('connectors model: discovery and the grace period', () => {
  it('keeps probing an instance that left discovery until the grace period ends, then drops it', () => {
    const { clock, model, setTargets, probe, totals } = setup([['pg', A], ['pg', B]]);
    probe(200, 200, A);
    probe(200, 200, B);
    model.takeChanges();
    setTargets([['pg', B]]);
    const removedAt = clock.now();
    expect(model.get('pg', A)!.removedAt).toBe(removedAt);
    expect(model.probeTargets().map((t) => t.address)).toEqual([A, B]);

    clock.advance(299_999);
    model.tick(clock.now());
    expect(model.get('pg', A)).toBeDefined();
    clock.advance(1);
    model.tick(clock.now());
    expect(model.get('pg', A)).toBeUndefined();
    expect(model.probeTargets().map((t) => t.address)).toEqual([B]);
    expect(model.takeChanges().instances).toContainEqual([ConnectorsModel.key('pg', A), undefined]);
    expect(totals()).toBeDefined();
  });

  it('takes an instance back, not dropped, when it returns within the grace period', () => {
    const { clock, model, setTargets } = setup();
    setTargets([]);
    clock.advance(100_000);
    setTargets([['pg', A]]);
    clock.advance(300_000);
    model.tick(clock.now());
    expect(model.get('pg', A)).toMatchObject({ source: 'static', removedAt: undefined });
  });

  it('drops a connector\'s totals with its last instance', () => {
    const { clock, model, setTargets } = setup();
    setTargets([]);
    clock.advance(300_000);
    model.tick(clock.now());
    expect([...model.connectors()]).toEqual([]);
    expect(model.takeChanges().connectors).toContainEqual(['pg', undefined]);
  });

  it('counts targets per source', () => {
    const { model } = setup([['pg', A], ['pg', A], ['mysql', A]]);
    expect(model.discoveryTargets.get('static')).toBe(2);
  });
});

describe('connectors model: OTLP telemetry', () => {
  it('joins telemetry to the discovered instance whose host or address it names', () => {
    const { model, send } = setup([['pg', A], ['mysql', B]]);
    send({ instance: '10.0.0.1', version: '1.35.0' });
    send({ instance: B, connector: 'mysql', memoryPercent: 41.5 });
    expect(model.get('pg', A)).toMatchObject({ version: '1.35.0', heartbeatSource: 'otlp' });
    expect(model.get('mysql', B)).toMatchObject({ memoryPercent: 41.5 });
    expect(model.size).toBe(2);
  });

  it('keeps telemetry that names no discovered instance under ConnectorName, else the default connector', () => {
    const { model, send } = setup([['pg', A]]);
    send({ instance: 'i-1', connector: 'redshift' });
    send({ instance: '10.0.0.1', connector: 'other' });
    send({ instance: 'i-2' });
    expect(model.get('redshift', 'i-1')).toBeDefined();
    expect(model.get('other', '10.0.0.1')).toBeDefined();
    expect(model.get('default', 'i-2')).toBeUndefined(); // over otlp max_instances (2)
    expect(send({ instance: 'i-3' })).toBe('too_many_instances');
  });

  it('drops the OTLP-only entry once discovery finds the same instance', () => {
    const { model, setTargets, send } = setup([]);
    send({ instance: '10.0.0.1', connector: 'pg' });
    setTargets([['pg', A]]);
    send({ instance: '10.0.0.1', connector: 'pg' });
    expect(model.get('pg', '10.0.0.1')).toBeUndefined();
    expect(model.get('pg', A)!.heartbeatSource).toBe('otlp');
  });

  it('forgets an instance known only from OTLP after it has been silent long enough', () => {
    const { clock, model, send } = setup([]);
    send({ instance: 'i-1' });
    clock.advance(3_599_999);
    model.tick(clock.now());
    expect(model.get('default', 'i-1')).toBeDefined();
    clock.advance(1);
    model.tick(clock.now());
    expect(model.get('default', 'i-1')).toBeUndefined();
  });

  it('turns pings_received into a counter across sender restarts, and dates the last ping', () => {
    const { clock, model, send } = setup([]);
    const pings = (value: number, startNs = 1, delta = false) => send({ instance: 'i-1', heartbeat: false, pingsReceived: { delta, series: [{ key: '[]', value, startNs }] } });
    pings(5);
    // The first reading is counted, but not dated.
    expect(model.get('default', 'i-1')!.pings!.total).toBe(5);
    expect(model.get('default', 'i-1')!.lastPing).toBeUndefined();
    clock.advance(30_000);
    pings(5);
    expect(model.get('default', 'i-1')!.lastPing).toBeUndefined();
    clock.advance(30_000);
    pings(9);
    expect(model.get('default', 'i-1')).toMatchObject({ pings: { total: 9 }, lastPing: clock.now() });
    // The sender restarted: a new start time, counting from zero again.
    clock.advance(30_000);
    pings(2, 2);
    expect(model.get('default', 'i-1')).toMatchObject({ pings: { total: 11 }, lastPing: clock.now() });
    // Delta temporality: each value is the increase.
    clock.advance(30_000);
    pings(3, 0, true);
    expect(model.get('default', 'i-1')!.pings!.total).toBe(14);
  });
});

describe('connectors model: redundancy', () => {
  it('counts ready instances and the distinct versions of live instances per connector', () => {
    const { model, probe, send } = setup([['pg', A], ['pg', B]]);
    probe(200, 200, A);
    probe(200, 503, B);
    send({ instance: '10.0.0.1', version: '1.35.0' });
    send({ instance: '10.0.0.2', version: '1.36.0' });
    expect(model.summaries().get('pg')).toEqual({ readyInstances: 1, versions: 2 });
    // The old version's instance goes down: the skew is over.
    probe(0, 0, A);
    expect(model.summaries().get('pg')).toEqual({ readyInstances: 0, versions: 1 });
  });
});

describe('connectors model: after the exporter restarts', () => {
  const HOUR = 3_600_000;
  /** A model started `downtimeMs` after `first` stored its changes. */
  const restarted = (first: ReturnType<typeof setup>, downtimeMs: number, targets: Array<[string, string]> = [['pg', A]]) =>
    setup(targets, {}, { stored: first.model.takeChanges(), at: first.clock.now() + downtimeMs });

  it('counts no stop kind for a stop that happened while it was down, but counts those it sees', () => {
    const first = setup([['pg', A], ['pg', B]]);
    first.probe(200, 200, A);
    first.probe(200, 200, B);
    const { probe, totals } = restarted(first, HOUR, [['pg', A], ['pg', B]]);
    // A drained and stopped meanwhile: how is unknown. B is seen ready, then seen dying.
    probe(0, 0, A);
    probe(200, 200, B);
    expect(totals().stops).toEqual({ graceful: 0, unexpected: 0 });
    probe(0, 0, B);
    expect(totals().stops).toEqual({ graceful: 0, unexpected: 1 });
  });

  it('gives no time to ready for a start that began before it', () => {
    const first = setup();
    first.probe(200, 503);
    const { clock, probe, totals, model } = restarted(first, HOUR);
    probe(200, 200);
    expect(model.get('pg', A)!.state).toBe('ready');
    expect(totals().timeToReady.count).toBe(0);
    // A start it sees from the beginning is measured.
    clock.advance(10_000);
    probe(0, 0);
    clock.advance(10_000);
    probe(200, 503);
    clock.advance(10_000);
    probe(200, 200);
    expect(totals().timeToReady).toMatchObject({ count: 1, sum: 10 });
  });

  it('forgets an instance known only from OTLP after a silence counted from its own start', () => {
    const first = setup([]);
    first.send({ instance: 'i-1' });
    const { clock, model } = restarted(first, 2 * HOUR, []);
    model.tick(clock.now());
    expect(model.get('default', 'i-1')).toBeDefined();
    clock.advance(HOUR - 1);
    model.tick(clock.now());
    expect(model.get('default', 'i-1')).toBeDefined();
    clock.advance(1);
    model.tick(clock.now());
    expect(model.get('default', 'i-1')).toBeUndefined();
  });
});
