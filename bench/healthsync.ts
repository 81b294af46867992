/**
 * Healthsync intake benchmark: payloads and check states per second for
 * three realistic payload sizes, each beside plain `JSON.parse` of the same
 * bytes measured in the same run.
 *
 * Why that peer: every JSON intake must at least turn the bytes into
 * objects, so JSON.parse is the floor no intake can beat; the ratio shows
 * what validation, the consistency model, the SQLite commit and HTTP cost on
 * top of it. The payloads are REPEAT_SNAPSHOTS snapshots in one message
 * (start, check states, stop: the model's busiest path), each to its own
 * sub stream, sent again and again, so every snapshot is diffed against the
 * previous one of its sub stream.
 *
 * Ours is measured three ways: in process (read, validate, apply), the same
 * plus the durable SQLite commit the intake makes before answering, and
 * end to end (HTTP POST on loopback to the exporter in a child process, 8 in
 * flight).
 *
 *   npx tsx bench/healthsync.ts [--quick]
 */
import { Agent, request } from 'node:http';
import { SqliteStore } from '../exporters/core/store.js';
import { HealthModel } from '../exporters/healthsync/model.js';
import { readIntakePayload } from '../exporters/healthsync/sources/payload.js';
import { startChildExporter } from '../test/support/child-exporter.js';
import { tempDir } from '../test/support/exporter.js';
import { DEFAULTS } from '../test/healthsync/harness.js';
import { envelope, manyStates, snapshot } from '../test/healthsync/payloads.js';
import { fmt, printTable, type Row } from './support/report.js';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 0.2 : 0.5;
const HTTP_SECONDS = quick ? 0.5 : 1;
const IN_FLIGHT = 8;
/** Distinct payloads per size: one per sending agent (sub stream). */
const SUB_STREAMS = 32;

interface Size {
  name: string;
  items: number;
  states: number;
}

const SIZES: Size[] = [
  { name: 'small: 1 sub stream × 10 check states', items: 1, states: 10 },
  { name: 'medium: 1 sub stream × 100 check states', items: 1, states: 100 },
  { name: 'large: 10 sub streams × 100 check states', items: 10, states: 100 },
];

/** Distinct payloads of one size; each snapshot changes one state's health, as live data would. */
function payloads(size: Size): Buffer[] {
  return Array.from({ length: SUB_STREAMS }, (_, p) => {
    const items = Array.from({ length: size.items }, (_, i) => {
      const states = manyStates(size.states, `check-${i}`);
      states[p % size.states]!.health = p % 2 === 0 ? 'Critical' : 'Clear';
      return snapshot({ urn: `urn:health:bench:stream-${i}`, sub: `agent-${p}`, start: { repeat: 60, expiry: 600 }, states, stop: true });
    });
    return Buffer.from(JSON.stringify(envelope(items, `host-${p}`)));
  });
}

/** Runs `fn` over the payloads for about `seconds`; returns payloads per second. */
async function rate(bodies: Buffer[], seconds: number, fn: (body: Buffer) => unknown): Promise<number> {
  for (let i = 0; i < bodies.length * 4; i++) await fn(bodies[i % bodies.length]!); // warm up
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let n = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 64; i++) await fn(bodies[n++ % bodies.length]!);
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

function newModel(): HealthModel {
  return new HealthModel(DEFAULTS, Date.now());
}

async function inProcess(bodies: Buffer[], store?: SqliteStore): Promise<number> {
  const model = newModel();
  return rate(bodies, SECONDS, async (body) => {
    for (const message of readIntakePayload(JSON.parse(body.toString('utf8')), Date.now())) model.apply(message);
    const changes = model.takeChanges();
    if (store) await store.commit(changes);
  });
}

function postOnce(agent: Agent, port: number, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/stsAgent/intake', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`intake answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** HTTP POSTs, IN_FLIGHT at a time, for about HTTP_SECONDS; returns payloads per second. */
async function overHttp(port: number, bodies: Buffer[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  for (const body of bodies) await postOnce(agent, port, body);
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(HTTP_SECONDS * 1e9));
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (process.hrtime.bigint() < deadline) await postOnce(agent, port, bodies[n++ % bodies.length]!);
    }),
  );
  agent.destroy();
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const perSecond = (n: number) => `${fmt(n)}/s`;
const ratio = (ours: number, peer: number) => `${fmt((ours / peer) * 100, 1)} %`;

const exporter = await startChildExporter({ module: 'exporters/healthsync/index.ts', exportName: 'healthsyncExporter', dataDir: tempDir() });
const port = Number(new URL(exporter.url).port);
const rows: Row[] = [];
try {
  for (const size of SIZES) {
    const bodies = payloads(size);
    const bytes = Math.round(bodies.reduce((s, b) => s + b.length, 0) / bodies.length);
    const checkStates = size.items * size.states;
    const floor = await rate(bodies, SECONDS, (body) => JSON.parse(body.toString('utf8')));
    const model = await inProcess(bodies);
    const store = SqliteStore.open(tempDir(), 'bench');
    const durable = await inProcess(bodies, store);
    await store.close();
    const http = await overHttp(port, bodies);
    const label = `${size.name} (${fmt(bytes / 1024, 1)} KiB)`;
    rows.push(
      { what: `${label}: payloads, in process`, ours: perSecond(model), peer: perSecond(floor), ratio: ratio(model, floor) },
      { what: `${label}: check states, in process`, ours: perSecond(model * checkStates), peer: perSecond(floor * checkStates), ratio: ratio(model, floor) },
      { what: `${label}: payloads, + SQLite commit`, ours: perSecond(durable), peer: perSecond(floor), ratio: ratio(durable, floor) },
      { what: `${label}: payloads, HTTP on loopback`, ours: perSecond(http), peer: perSecond(floor), ratio: ratio(http, floor) },
      { what: `${label}: check states, HTTP on loopback`, ours: perSecond(http * checkStates), peer: perSecond(floor * checkStates), ratio: ratio(http, floor) },
    );
  }
} finally {
  await exporter.stop();
}
printTable('healthsync intake (REPEAT_SNAPSHOTS, one-message snapshots)', 'JSON.parse only', rows);
console.log(`\nratio: ours as a share of the JSON.parse floor (100 % would be free validation, model, storage and HTTP).`);
