/**
 * The OpAMP source end to end: a real server on loopback, driven by Elastic's
 * HTTP client and by our own WebSocket (and HTTP) agent.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { collectorsExporter, type CollectorsExporter } from '../../exporters/collectors/index.js';
import { OpampAgent, type AgentStatus } from '../../sim/opamp/agent.js';
import { encodeAgentToServer, decodeServerToAgent, newInstanceUid } from '../../sim/opamp/messages.js';
import { promtoolCheckMetrics } from '../support/binaries.js';
import { sampleValue, startTestExporter, tempDir, type TestExporter } from '../support/exporter.js';
import { RemoteConfigStatus, startElasticAgent, type ElasticAgent } from './elastic-client.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function startCollectors(opts: { dataDir?: string; opampPort?: number } = {}): Promise<{ exporter: TestExporter; collectors: CollectorsExporter; endpoint: string }> {
  const exporter = await startTestExporter(collectorsExporter, {
    dataDir: opts.dataDir,
    sets: ['opamp.listen.host=127.0.0.1', `opamp.listen.port=${opts.opampPort ?? 0}`],
  });
  cleanup.push(() => exporter.stop());
  const collectors = exporter.instance as CollectorsExporter;
  return { exporter, collectors, endpoint: `http://127.0.0.1:${collectors.opampPort}/v1/opamp` };
}

function elastic(endpoint: string): ElasticAgent {
  const agent = startElasticAgent(endpoint);
  cleanup.push(() => agent.stop());
  return agent;
}

const baseStatus: AgentStatus = {
  description: { identifying: { 'service.name': 'otelcol-contrib', 'service.version': '0.120.0', 'service.instance.id': 'x' }, nonIdentifying: { 'host.name': 'edge-7' } },
  health: { healthy: true, status: 'StatusOK' },
};

async function wsAgent(endpoint: string, status: AgentStatus = baseStatus): Promise<OpampAgent> {
  const agent = new OpampAgent({ endpoint, transport: 'websocket', status });
  await agent.connect();
  cleanup.push(() => agent.close());
  return agent;
}

describe('OpAMP over plain HTTP, with Elastic\'s client', () => {
  it('derives Connected, Configuring, Error and back from remote config status, with identity from the description', async () => {
    const { collectors, endpoint, exporter } = await startCollectors();
    const agent = elastic(endpoint);
    const first = await agent.nextSend();
    expect(first.a2s.agentDescription).toBeDefined();
    expect(collectors.model.get(agent.id)).toMatchObject({ state: 'Connected', name: 'elastic-otel-node', version: '1.2.3', host: 'app-host-1', source: 'opamp' });

    const hash = Buffer.from('config-v2');
    agent.client.setRemoteConfigStatus({ lastRemoteConfigHash: hash, status: RemoteConfigStatus.APPLYING });
    await agent.nextSend();
    expect(collectors.model.get(agent.id)?.state).toBe('Configuring');

    agent.client.setRemoteConfigStatus({ lastRemoteConfigHash: hash, status: RemoteConfigStatus.FAILED, errorMessage: 'unknown receiver "foo"' });
    await agent.nextSend();
    expect(collectors.model.get(agent.id)?.state).toBe('Error');

    agent.client.setRemoteConfigStatus({ lastRemoteConfigHash: hash, status: RemoteConfigStatus.APPLIED, errorMessage: '' });
    await agent.nextSend();
    expect(collectors.model.get(agent.id)?.state).toBe('Connected');

    const text = await exporter.scrape();
    expect(sampleValue(text, 'collector_state', { collector_id: agent.id, state: 'Connected' })).toBe(1);
    expect(sampleValue(text, 'collector_state', { collector_id: agent.id, state: 'Error' })).toBe(0);
    for (const [from, to] of [['start', 'Connected'], ['Connected', 'Configuring'], ['Configuring', 'Error'], ['Error', 'Connected']]) {
      expect(sampleValue(text, 'collector_state_transitions_total', { from: from!, to: to! })).toBe(1);
    }
    expect(sampleValue(text, 'collector_info', { collector_id: agent.id, name: 'elastic-otel-node', version: '1.2.3', host: 'app-host-1', source: 'opamp' })).toBe(1);
    expect(sampleValue(text, 'collector_opamp_messages_total', { transport: 'http' })).toBe(4);
    expect(promtoolCheckMetrics(text)).toBe('');
  });

  it('marks a silent HTTP agent Disconnected after the timeout (3 × 30 s), on the injected clock', async () => {
    const { collectors, endpoint, exporter } = await startCollectors();
    const agent = elastic(endpoint);
    await agent.nextSend();
    await agent.stop(); // Elastic's client never sends agent_disconnect
    exporter.clock.advance(90_000);
    await collectors.tick();
    expect(collectors.model.get(agent.id)?.state).toBe('Connected');
    exporter.clock.advance(1);
    await collectors.tick();
    expect(collectors.model.get(agent.id)).toMatchObject({ state: 'Disconnected', since: exporter.clock.now() });
    expect(sampleValue(await exporter.scrape(), 'collector_fleet_state', { state: 'Disconnected' })).toBe(1);
  });

  it('asks for ReportFullState after an exporter restart, and the client sends it', async () => {
    const dataDir = tempDir();
    const first = await startCollectors({ dataDir });
    const agent = elastic(first.endpoint);
    await agent.nextSend();
    const since = first.collectors.model.get(agent.id)!.since;
    const port = first.collectors.opampPort;
    await first.exporter.stop();

    const second = await startCollectors({ dataDir, opampPort: port });
    expect(second.collectors.model.get(agent.id)).toMatchObject({ state: 'Connected', since });
    agent.client.setRemoteConfigStatus({ lastRemoteConfigHash: Buffer.from('h'), status: RemoteConfigStatus.APPLIED });
    const heartbeat = await agent.nextSend();
    expect(heartbeat.a2s.agentDescription).toBeUndefined();
    expect(heartbeat.s2a.flags & 1n).toBe(1n);
    const full = await agent.nextSend();
    expect(full.a2s.agentDescription).toBeDefined();
    expect(second.collectors.model.fullStateRequests.get('unknown')).toBe(1);
    expect(second.collectors.model.get(agent.id)).toMatchObject({ state: 'Connected', since, name: 'elastic-otel-node' });
  });
});

describe('OpAMP over WebSocket, with our own agent', () => {
  it('derives Error from health, but not while starting', async () => {
    const { collectors, endpoint } = await startCollectors();
    const agent = await wsAgent(endpoint, { ...baseStatus, health: { healthy: false, status: 'StatusStarting' } });
    await agent.send();
    expect(collectors.model.get(agent.id)?.state).toBe('Connected');
    agent.update({ health: { healthy: false, status: '', lastError: 'Agent is starting' } });
    await agent.send();
    expect(collectors.model.get(agent.id)?.state).toBe('Connected');
    agent.update({ health: { healthy: false, status: 'StatusRecoverableError', lastError: 'exporter otlp: connection refused' } });
    await agent.send();
    expect(collectors.model.get(agent.id)?.state).toBe('Error');
    agent.update({ health: { healthy: true, status: 'StatusOK' } });
    await agent.send();
    expect(collectors.model.get(agent.id)?.state).toBe('Connected');
  });

  it('derives Upgrading from package installs, Error from a failed one, Configuring from APPLYING', async () => {
    const { collectors, endpoint } = await startCollectors();
    const agent = await wsAgent(endpoint);
    await agent.send();
    for (const [status, expected] of [[1, 'Upgrading'], [4, 'Upgrading'], [2, 'Upgrading'], [3, 'Error'], [0, 'Connected']] as const) {
      agent.update({ packageStatuses: { '': { status, agentHasVersion: '0.119.0', serverOfferedVersion: '0.120.0', errorMessage: status === 3 ? 'checksum mismatch' : '' } } });
      await agent.send();
      expect(collectors.model.get(agent.id)?.state, `package status ${status}`).toBe(expected);
    }
    agent.update({ remoteConfigStatus: { status: 2 } });
    await agent.send();
    expect(collectors.model.get(agent.id)?.state).toBe('Configuring');
  });

  it('is Disconnected on agent_disconnect and on a close without it; a reconnect on a new socket wins over the old one closing', async () => {
    const { collectors, endpoint, exporter } = await startCollectors();
    const polite = await wsAgent(endpoint);
    await polite.send();
    expect(sampleValue(await exporter.scrape(), 'collector_opamp_websocket_connections')).toBe(1);
    await polite.disconnect();
    expect(collectors.model.get(polite.id)?.state).toBe('Disconnected');

    const crashing = await wsAgent(endpoint);
    await crashing.send();
    await crashing.close();
    await waitUntil(() => collectors.model.get(crashing.id)?.state === 'Disconnected');

    const uid = newInstanceUid();
    const oldSocket = new OpampAgent({ endpoint, transport: 'websocket', status: baseStatus, instanceUid: uid });
    await oldSocket.connect();
    await oldSocket.send();
    const newSocket = new OpampAgent({ endpoint, transport: 'websocket', status: baseStatus, instanceUid: uid });
    cleanup.push(() => newSocket.close());
    await newSocket.connect();
    await newSocket.send();
    await oldSocket.close();
    await newSocket.send(); // after the old close has been handled
    expect(collectors.model.get(newSocket.id)?.state).toBe('Connected');
  });

  it('asks for the full state on a sequence_num gap', async () => {
    const { collectors, endpoint } = await startCollectors();
    const agent = await wsAgent(endpoint);
    expect((await agent.send()).reportFullState).toBe(false);
    expect((await agent.send()).reportFullState).toBe(false);
    agent.skipSequence(3);
    expect((await agent.send()).reportFullState).toBe(true);
    expect(collectors.model.fullStateRequests.get('sequence_gap')).toBe(1);
  });

  it('speaks HTTP too, with gzip bodies', async () => {
    const { collectors, endpoint } = await startCollectors();
    const uid = newInstanceUid();
    const body = gzipSync(encodeAgentToServer({ instanceUid: uid, sequenceNum: 1, capabilities: 1, description: baseStatus.description, remoteConfigStatus: { status: 3, errorMessage: 'x' } }));
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    const reply = decodeServerToAgent(new Uint8Array(await response.arrayBuffer()));
    expect(Buffer.from(reply.instanceUid!)).toEqual(Buffer.from(uid));
    expect(reply.capabilities & 0x1).toBe(0x1);
    expect(collectors.model.get(new OpampAgent({ endpoint, transport: 'http', status: baseStatus, instanceUid: uid }).id)?.state).toBe('Error');
  });
});

describe('every legal and illegal edge, through the event API and /metrics', () => {
  it('counts each edge in the right family', async () => {
    const { exporter } = await startCollectors();
    const { STATES, isLegal } = await import('../../exporters/collectors/states.js');
    const pairs = STATES.flatMap((from) => STATES.filter((to) => to !== from).map((to) => [from, to] as const));
    const events = pairs.flatMap(([from, to], i) => [
      { collector_id: `edge-${i}`, state: from, time: 1_700_000_000 },
      { collector_id: `edge-${i}`, state: to, time: 1_700_000_060 },
    ]);
    const response = await fetch(`${exporter.url}/api/v1/collectors/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(response.status).toBe(202);
    const text = await exporter.scrape();
    for (const [from, to] of pairs) {
      const family = isLegal(from, to) ? 'collector_state_transitions_total' : 'collector_illegal_transitions_total';
      const other = isLegal(from, to) ? 'collector_illegal_transitions_total' : 'collector_state_transitions_total';
      expect(sampleValue(text, family, { from, to }), `${from} → ${to}`).toBe(1);
      expect(sampleValue(text, other, { from, to })).toBeUndefined();
    }
    expect(promtoolCheckMetrics(text)).toBe('');
  });
});

/** Waits for something a real event (a socket closing) will make true; bounded. */
async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
