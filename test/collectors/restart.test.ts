import { afterEach, describe, expect, it } from 'vitest';
import { OpampAgent } from '../../sim/opamp/agent.js';
import { decodeServerToAgent, encodeAgentToServer } from '../../sim/opamp/messages.js';
import { startChildExporter, type ChildExporter } from '../support/child-exporter.js';
import { sampleValue, tempDir } from '../support/exporter.js';

const started: ChildExporter[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
});

async function start(dataDir: string): Promise<ChildExporter> {
  const child = await startChildExporter({
    module: 'exporters/collectors/index.ts',
    exportName: 'collectorsExporter',
    dataDir,
    sets: ['opamp.listen.host=127.0.0.1', 'opamp.listen.port=0'],
  });
  started.push(child);
  return child;
}

describe('collectors exporter across kill -9', () => {
  it('keeps every collector, its state and since-time', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    const events = [
      { collector_id: 'col-a', state: 'Connected', time: '2026-03-01T10:00:00Z' },
      { collector_id: 'col-b', state: 'Pending', time: '2026-03-01T11:00:00Z' },
      { collector_id: 'col-c', state: 'Incompatible', time: '2026-03-01T12:00:00Z' },
    ];
    const endpoint = `http://127.0.0.1:${first.ports.opampPort}/v1/opamp`;
    const description = { identifying: { 'service.name': 'otelcol' }, nonIdentifying: {} };
    const healthy = new OpampAgent({ endpoint, transport: 'http', status: { description, health: { healthy: true, status: 'StatusOK' } } });
    const failing = new OpampAgent({ endpoint, transport: 'http', status: { description, health: { healthy: false, status: 'StatusPermanentError', lastError: 'x' } } });
    await healthy.send();
    await failing.send();
    const posted = await fetch(`${first.url}/api/v1/collectors/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(posted.status).toBe(202);
    const before = await (await fetch(`${first.url}/metrics`)).text();
    await first.kill9();

    const second = await start(dataDir);
    const after = await (await fetch(`${second.url}/metrics`)).text();
    for (const [id, state, iso] of [['col-a', 'Connected', '2026-03-01T10:00:00Z'], ['col-b', 'Pending', '2026-03-01T11:00:00Z'], ['col-c', 'Incompatible', '2026-03-01T12:00:00Z']] as const) {
      expect(sampleValue(after, 'collector_state', { collector_id: id, state })).toBe(1);
      expect(sampleValue(after, 'collector_state_since_timestamp_seconds', { collector_id: id })).toBe(Date.parse(iso) / 1000);
      expect(sampleValue(after, 'collector_state_since_timestamp_seconds', { collector_id: id })).toBe(sampleValue(before, 'collector_state_since_timestamp_seconds', { collector_id: id }));
    }
    expect(sampleValue(after, 'collector_fleet_state', { state: 'Pending' })).toBe(1);
    for (const [agent, state] of [[healthy, 'Connected'], [failing, 'Error']] as const) {
      expect(sampleValue(after, 'collector_state', { collector_id: agent.id, state })).toBe(1);
      expect(sampleValue(after, 'collector_state_since_timestamp_seconds', { collector_id: agent.id })).toBe(sampleValue(before, 'collector_state_since_timestamp_seconds', { collector_id: agent.id }));
    }
    // The first message after the restart is answered with ReportFullState.
    const heartbeat = encodeAgentToServer({ instanceUid: healthy.instanceUid, sequenceNum: 2, capabilities: 1 });
    const reply = await fetch(`http://127.0.0.1:${second.ports.opampPort}/v1/opamp`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: heartbeat });
    expect(decodeServerToAgent(new Uint8Array(await reply.arrayBuffer())).reportFullState).toBe(true);
  });
});
