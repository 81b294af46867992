/**
 * Collectors exporter benchmark, two parts, each beside a peer measured in
 * the same run:
 *
 * 1. OpAMP HTTP status messages per second into the exporter (decode, model,
 *    SQLite commit, reply), from one load-generating process on loopback.
 *    Peer: Elastic's MockOpAMPServer, an OpAMP HTTP server by others, which
 *    decodes and answers but keeps nothing — so the peer does less work.
 * 2. `/metrics` render time for 10k and 100k collectors (all seven states
 *    one-hot, so 10 series per collector). Peer: a plain prom-client registry
 *    holding the same series.
 *
 *   npx tsx bench/collectors.ts [--quick]
 */
import { Pool } from 'undici';
import { Registry, Gauge } from 'prom-client';
import { FleetModel } from '../exporters/collectors/model.js';
import { STATES } from '../exporters/collectors/states.js';
import { CollectorsView } from '../exporters/collectors/view.js';
import { TextExposition } from '../exporters/core/exposition.js';
import { encodeAgentToServer, newInstanceUid } from '../sim/opamp/messages.js';
import { startChildExporter, startReadyProcess } from '../test/support/child-exporter.js';
import { tempDir } from '../test/support/exporter.js';
import { fmt, printTable, timeMs, type Row } from './support/report.js';

const quick = process.argv.includes('--quick');
const AGENTS = 1000;
const MESSAGES = quick ? 20_000 : 100_000;
const IN_FLIGHT = 64;

/** Pre-encoded traffic: each agent's first message has its description; then heartbeats, every 10th a health change. */
function traffic(): Buffer[] {
  const uids = Array.from({ length: AGENTS }, () => newInstanceUid());
  const seq = new Array<number>(AGENTS).fill(0);
  const out: Buffer[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const a = i % AGENTS;
    const sequenceNum = ++seq[a]!;
    const first = sequenceNum === 1;
    out.push(
      Buffer.from(
        encodeAgentToServer({
          instanceUid: uids[a]!,
          sequenceNum,
          capabilities: 0x2801,
          description: first ? { identifying: { 'service.name': 'otelcol-contrib', 'service.version': '0.120.0' }, nonIdentifying: { 'host.name': `host-${a}` } } : undefined,
          health: first || sequenceNum % 10 === 0 ? { healthy: sequenceNum % 20 !== 0, status: sequenceNum % 20 === 0 ? 'StatusRecoverableError' : 'StatusOK' } : undefined,
        }),
      ),
    );
  }
  return out;
}

/** Sends every message with IN_FLIGHT requests outstanding; returns messages per second. */
async function blast(endpoint: string, messages: Buffer[]): Promise<number> {
  const url = new URL(endpoint);
  const pool = new Pool(url.origin, { connections: IN_FLIGHT, pipelining: 1 });
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < messages.length) {
      const body = messages[next++]!;
      const res = await pool.request({ path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) failures++;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await pool.close();
  if (failures > 0) throw new Error(`${failures} requests failed`);
  return messages.length / seconds;
}

async function opampThroughput(): Promise<Row[]> {
  const messages = traffic();
  const ours = await startChildExporter({
    module: 'exporters/collectors/index.ts',
    exportName: 'collectorsExporter',
    dataDir: tempDir('fleetwatch-bench-'),
    sets: ['opamp.listen.host=127.0.0.1', 'opamp.listen.port=0', 'events.enabled=false'],
  });
  const oursRate = await blast(`http://127.0.0.1:${ours.ports.opampPort}/v1/opamp`, messages).finally(() => ours.stop());
  const peer = await startReadyProcess('bench/peers/mock-opamp-server.ts', []);
  const peerRate = await blast(peer.ready, messages).finally(() => peer.stop());
  return [{ what: `OpAMP HTTP messages/s (${fmt(MESSAGES)} msgs, ${AGENTS} agents)`, ours: fmt(oursRate), peer: fmt(peerRate), ratio: `${fmt(oursRate / peerRate, 2)}×` }];
}

function fleet(size: number): FleetModel {
  const model = new FleetModel({ disconnectAfterMs: 90_000, forgetAfterMs: 0 }, 0);
  for (let i = 0; i < size; i++) {
    model.apply({ kind: 'reported_state', source: 'bindplane', collectorId: `0190d2c1-7a3b-7c00-8000-${String(i).padStart(12, '0')}`, state: STATES[i % STATES.length]!, at: 1_000, lastSeen: 1_000, name: 'otelcol-contrib', version: '0.120.0', host: `host-${i}` });
  }
  return model;
}

/** The same series in prom-client, set the way a straightforward exporter would. */
function promClientRegistry(model: FleetModel): Registry {
  const registry = new Registry();
  const info = new Gauge({ name: 'collector_info', help: 'i', labelNames: ['collector_id', 'name', 'version', 'host', 'source'], registers: [registry] });
  const state = new Gauge({ name: 'collector_state', help: 's', labelNames: ['collector_id', 'state'], registers: [registry] });
  const since = new Gauge({ name: 'collector_state_since_timestamp_seconds', help: 's', labelNames: ['collector_id'], registers: [registry] });
  const seen = new Gauge({ name: 'collector_last_seen_timestamp_seconds', help: 's', labelNames: ['collector_id'], registers: [registry] });
  for (const r of model.all()) {
    info.set({ collector_id: r.id, name: r.name, version: r.version, host: r.host, source: r.source }, 1);
    for (const s of STATES) state.set({ collector_id: r.id, state: s }, s === r.state ? 1 : 0);
    since.set({ collector_id: r.id }, r.since / 1000);
    seen.set({ collector_id: r.id }, r.lastSeen / 1000);
  }
  return registry;
}

async function renderTimes(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of quick ? [10_000] : [10_000, 100_000]) {
    const model = fleet(size);
    const exposition = new TextExposition([new CollectorsView(model, 'all', ['opamp'])]);
    exposition.render(0); // fill the cache, as the first scrape does
    let tick = 2_000;
    // Between scrapes 1% of the fleet reports something.
    const ours = await timeMs(7, () => {
      let i = 0;
      for (const r of model.all()) if (i++ % 100 === 0) model.apply({ kind: 'reported_state', source: 'events', collectorId: r.id, state: 'Connected', at: tick, since: tick });
      tick += 1000;
      return exposition.render(tick);
    });
    const cold = await timeMs(3, () => new TextExposition([new CollectorsView(model, 'all', ['opamp'])]).render(0));
    const registry = promClientRegistry(model);
    const peer = await timeMs(3, () => registry.metrics());
    rows.push({ what: `/metrics render, ${fmt(size)} collectors (${fmt(size * 10)} series), steady`, ours: `${fmt(ours, 1)} ms`, peer: `${fmt(peer, 1)} ms`, ratio: `${fmt(peer / ours, 1)}×` });
    rows.push({ what: `/metrics render, ${fmt(size)} collectors, first scrape (cold cache)`, ours: `${fmt(cold, 1)} ms`, peer: `${fmt(peer, 1)} ms`, ratio: `${fmt(peer / cold, 1)}×` });
  }
  return rows;
}

const rows = [...(await opampThroughput()), ...(await renderTimes())];
printTable('collectors exporter', 'peer', rows);
console.log('\npeers: OpAMP — @elastic/mockopampserver 0.5.0 (decodes and answers, keeps nothing); render — prom-client 15.1.3 Registry.metrics() with the same series.');
