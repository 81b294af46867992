import { describe, expect, it } from 'vitest';
import { FleetModel } from './model.js';
import type { AgentReport, CollectorObservation } from './observations.js';
import { isLegal, legalEdges, START, STATES, type CollectorState } from './states.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

function model(at = T0) {
  return new FleetModel({ disconnectAfterMs: 90_000, forgetAfterMs: 24 * 60 * MIN }, at);
}

function report(uid: string, seq: number, parts: Partial<AgentReport> = {}): CollectorObservation {
  return { kind: 'opamp_report', at: T0 + seq * 1000, transport: 'http', report: { instanceUid: uid, sequenceNum: seq, capabilities: 1, agentDisconnect: false, ...parts } };
}

function event(id: string, state: CollectorState, at: number): CollectorObservation {
  return { kind: 'reported_state', source: 'events', collectorId: id, state, at, since: at };
}

const description = { identifying: { 'service.name': 'otelcol-contrib', 'service.version': '0.120.0' }, nonIdentifying: { 'host.name': 'web-1' } };

describe('the state diagram', () => {
  it('has exactly the seed edges', () => {
    const legal = legalEdges().map(([f, t]) => `${f}>${t}`).sort();
    expect(legal).toEqual(
      [
        'start>Connected',
        ...['Disconnected', 'Error', 'Configuring', 'Pending', 'Incompatible', 'Upgrading'].map((t) => `Connected>${t}`),
        'Disconnected>Connected',
        ...['Connected', 'Disconnected', 'Configuring', 'Pending', 'Incompatible', 'Upgrading'].map((t) => `Error>${t}`),
        ...['Connected', 'Disconnected', 'Error'].map((t) => `Configuring>${t}`),
        'Pending>Configuring',
        ...['Disconnected', 'Error', 'Configuring', 'Pending', 'Upgrading'].map((t) => `Incompatible>${t}`),
        ...['Connected', 'Disconnected', 'Error'].map((t) => `Upgrading>${t}`),
      ].sort(),
    );
  });

  // Every ordered pair of distinct states: applied either way, counted as legal or illegal.
  const pairs = STATES.flatMap((from) => STATES.filter((to) => to !== from).map((to) => [from, to] as const));
  it.each(pairs)('%s → %s is applied and counted as %s', (from, to) => {
    const m = model();
    m.apply(event('c', from, T0));
    m.apply(event('c', to, T0 + MIN));
    expect(m.get('c')).toMatchObject({ state: to, since: T0 + MIN });
    const table = isLegal(from, to) ? m.transitions : m.illegalTransitions;
    const other = isLegal(from, to) ? m.illegalTransitions : m.transitions;
    expect(table.get(`${from}>${to}`)?.count).toBe(1);
    expect(other.size).toBe(0);
    expect(m.fleetCount(to)).toBe(1);
    expect(m.fleetCount(from)).toBe(0);
  });

  it('counts start → Connected when an agent first speaks, and a first report of another state via Connected', () => {
    const m = model();
    m.apply(report('a', 1, { description }));
    expect(m.transitions.get(`${START}>Connected`)?.count).toBe(1);
    m.apply(report('b', 1, { description, remoteConfigStatus: { status: 3, errorMessage: 'bad' } }));
    expect(m.get('b')?.state).toBe('Error');
    expect(m.transitions.get('start>Connected')?.count).toBe(2);
    expect(m.transitions.get('Connected>Error')?.count).toBe(1);
    expect(m.illegalTransitions.size).toBe(0);
  });

  it('adopts a first sighting from a control plane without counting a transition', () => {
    const m = model();
    m.apply({ kind: 'reported_state', source: 'bindplane', collectorId: 'x', state: 'Disconnected', at: T0, since: T0 - MIN });
    expect(m.get('x')).toMatchObject({ state: 'Disconnected', since: T0 - MIN });
    expect(m.transitions.size + m.illegalTransitions.size).toBe(0);
  });
});

describe('deriving state from OpAMP reports', () => {
  const cases: Array<[string, Partial<AgentReport>, CollectorState]> = [
    ['healthy', { health: { healthy: true, status: 'StatusOK', lastError: '' } }, 'Connected'],
    ['unhealthy', { health: { healthy: false, status: 'StatusRecoverableError', lastError: 'exporter failing' } }, 'Error'],
    ['starting (empty status)', { health: { healthy: false, status: '', lastError: '' } }, 'Connected'],
    ['starting (StatusStarting)', { health: { healthy: false, status: 'StatusStarting', lastError: '' } }, 'Connected'],
    ['starting (supervisor)', { health: { healthy: false, status: '', lastError: 'Agent is starting' } }, 'Connected'],
    ['remote config FAILED', { remoteConfigStatus: { status: 3, errorMessage: 'invalid' } }, 'Error'],
    ['remote config APPLYING', { remoteConfigStatus: { status: 2, errorMessage: '' } }, 'Configuring'],
    ['remote config APPLIED', { remoteConfigStatus: { status: 1, errorMessage: '' } }, 'Connected'],
    ['package InstallPending', { packageStatuses: { '': { status: 1, agentHasVersion: '1', serverOfferedVersion: '2', errorMessage: '' } } }, 'Upgrading'],
    ['package Installing', { packageStatuses: { '': { status: 2, agentHasVersion: '1', serverOfferedVersion: '2', errorMessage: '' } } }, 'Upgrading'],
    ['package Downloading', { packageStatuses: { '': { status: 4, agentHasVersion: '1', serverOfferedVersion: '2', errorMessage: '' } } }, 'Upgrading'],
    ['package InstallFailed', { packageStatuses: { '': { status: 3, agentHasVersion: '1', serverOfferedVersion: '2', errorMessage: 'disk' } } }, 'Error'],
    ['package Installed', { packageStatuses: { '': { status: 0, agentHasVersion: '2', serverOfferedVersion: '2', errorMessage: '' } } }, 'Connected'],
  ];
  it.each(cases)('%s → %s', (_name, parts, expected) => {
    const m = model();
    m.apply(report('a', 1, { description, ...parts }));
    expect(m.get('a')?.state).toBe(expected);
  });

  it('keeps what an agent left out because it did not change', () => {
    const m = model();
    m.apply(report('a', 1, { description, remoteConfigStatus: { status: 2, errorMessage: '' } }));
    m.apply(report('a', 2)); // a heartbeat: nothing re-sent
    expect(m.get('a')).toMatchObject({ state: 'Configuring', name: 'otelcol-contrib', version: '0.120.0', host: 'web-1' });
    m.apply(report('a', 3, { remoteConfigStatus: { status: 1, errorMessage: '' } }));
    expect(m.get('a')?.state).toBe('Connected');
    expect(m.get('a')?.reported?.description).toEqual(description);
  });

  it('puts Error before Upgrading before Configuring', () => {
    const m = model();
    m.apply(report('a', 1, { description, remoteConfigStatus: { status: 2, errorMessage: '' }, packageStatuses: { p: { status: 2, agentHasVersion: '', serverOfferedVersion: '', errorMessage: '' } } }));
    expect(m.get('a')?.state).toBe('Upgrading');
    m.apply(report('a', 2, { health: { healthy: false, status: 'StatusPermanentError', lastError: 'boom' } }));
    expect(m.get('a')?.state).toBe('Error');
  });

  it('is Disconnected on agent_disconnect and Connected again on the next message', () => {
    const m = model();
    m.apply(report('a', 1, { description }));
    m.apply(report('a', 2, { agentDisconnect: true }));
    expect(m.get('a')?.state).toBe('Disconnected');
    m.apply(report('a', 3));
    expect(m.get('a')?.state).toBe('Connected');
    expect(m.transitions.get('Disconnected>Connected')?.count).toBe(1);
  });

  it('reconnects through Connected when a returning agent reports an error', () => {
    const m = model();
    m.apply(report('a', 1, { description }));
    m.apply(report('a', 2, { agentDisconnect: true }));
    m.apply(report('a', 3, { health: { healthy: false, status: 'StatusFatalError', lastError: 'x' } }));
    expect(m.get('a')?.state).toBe('Error');
    expect(m.illegalTransitions.size).toBe(0);
  });

  it('does not let an unchanged heartbeat undo a rollout tool\'s Pending, but a real change does', () => {
    const m = model();
    m.apply(report('a', 1, { description }));
    m.apply(event('a', 'Pending', T0 + 1500));
    m.apply(report('a', 2));
    expect(m.get('a')?.state).toBe('Pending');
    m.apply(report('a', 3, { remoteConfigStatus: { status: 2, errorMessage: '' } }));
    expect(m.get('a')?.state).toBe('Configuring');
    expect(m.transitions.get('Pending>Configuring')?.count).toBe(1);
  });
});

describe('full state requests', () => {
  it('asks a new agent only if it did not already send its description, and asks on a sequence gap', () => {
    const m = model();
    expect(m.apply(report('a', 1, { description })).reportFullState).toBeUndefined();
    expect(m.apply(report('a', 2)).reportFullState).toBeUndefined();
    expect(m.apply(report('a', 5)).reportFullState).toBe('sequence_gap');
    expect(m.apply(report('b', 7)).reportFullState).toBe('unknown');
    expect(m.fullStateRequests.get('sequence_gap')).toBe(1);
  });

  it('asks every agent once after a restart, even though the store knows it', () => {
    const first = model();
    first.apply(report('a', 1, { description }));
    const restored = model(T0 + 10 * MIN);
    restored.restore([first.get('a')!]);
    expect(restored.apply(report('a', 2)).reportFullState).toBe('unknown');
    expect(restored.apply(report('a', 3)).reportFullState).toBeUndefined();
  });
});

describe('the passing of time', () => {
  it('marks an OpAMP collector Disconnected after the timeout, not before', () => {
    const m = model();
    m.apply(report('a', 0, { description })); // heard at T0
    m.tick(T0 + 90_000);
    expect(m.get('a')?.state).toBe('Connected');
    m.tick(T0 + 90_001);
    expect(m.get('a')).toMatchObject({ state: 'Disconnected', since: T0 + 90_001 });
  });

  it('does not time out an open WebSocket, nor a collector known only from a control plane', () => {
    const m = model();
    m.apply({ kind: 'opamp_report', at: T0, transport: 'websocket', report: { instanceUid: 'ws', sequenceNum: 1, capabilities: 1, agentDisconnect: false, description } });
    m.apply(event('ev', 'Connected', T0));
    m.tick(T0 + 10 * MIN);
    expect(m.get('ws')?.state).toBe('Connected');
    expect(m.get('ev')?.state).toBe('Connected');
    m.apply({ kind: 'opamp_socket_closed', at: T0 + 11 * MIN, collectorId: 'ws' });
    expect(m.get('ws')?.state).toBe('Disconnected');
  });

  it('gives collectors a full timeout after an exporter restart before calling them disconnected', () => {
    const first = model();
    first.apply(report('a', 0, { description }));
    const restarted = model(T0 + 60 * MIN); // the exporter was down for an hour
    restarted.restore([first.get('a')!]);
    restarted.tick(T0 + 60 * MIN + 1000);
    expect(restarted.get('a')?.state).toBe('Connected');
    restarted.tick(T0 + 60 * MIN + 90_001);
    expect(restarted.get('a')?.state).toBe('Disconnected');
  });

  it('forgets collectors disconnected longer than the retention', () => {
    const m = model();
    m.apply(report('a', 0, { description }));
    m.apply(report('a', 1, { agentDisconnect: true }));
    m.takeChanges();
    m.tick(T0 + 24 * 60 * MIN + 2000);
    expect(m.get('a')).toBeUndefined();
    expect(m.fleetCount('Disconnected')).toBe(0);
    expect(m.takeChanges()).toEqual([['a', undefined]]);
  });
});

describe('control planes', () => {
  it('applies only changes of what the same source reported, and counts unknown codes', () => {
    const m = model();
    const poll = (state: CollectorState | undefined, at: number, unknownStatus?: number): CollectorObservation => ({
      kind: 'reported_state', source: 'bindplane', collectorId: 'x', state, unknownStatus, at,
    });
    m.apply(poll('Connected', T0));
    m.apply(event('x', 'Pending', T0 + MIN));
    m.apply(poll('Connected', T0 + 2 * MIN)); // Bindplane says nothing new
    expect(m.get('x')?.state).toBe('Pending');
    m.apply(poll(undefined, T0 + 3 * MIN, 9));
    expect(m.get('x')?.state).toBe('Pending');
    expect(m.unknownStatuses.get(9)).toBe(1);
    m.apply(poll('Error', T0 + 4 * MIN));
    expect(m.get('x')?.state).toBe('Error');
  });

  it('ignores an event older than the current state', () => {
    const m = model();
    m.apply(event('x', 'Connected', T0 + 10 * MIN));
    m.apply(event('x', 'Pending', T0 + 5 * MIN));
    expect(m.get('x')?.state).toBe('Connected');
  });
});
