/**
 * Connectors exporter benchmark, two parts, each beside a peer measured in
 * the same run:
 *
 * 1. Probes per second sustained over 1k and 10k instances on loopback: the
 *    exporter's whole probe round (two GETs per instance on fresh
 *    connections, model, SQLite commit), driven with probeRound(). The
 *    instances are fake connectors (sim/connectors/fake-connector.ts), one
 *    HTTP server per port on 127.0.0.1, all in one child process so that
 *    serving them does not share our event loop. Peer: the same probes
 *    written the obvious way with undici's fetch (what Node's fetch is),
 *    keep-alive off so that it too opens a connection per probe as
 *    blackbox_exporter does, and the same concurrency — blackbox_exporter
 *    itself is not installed here.
 * 2. OTLP data points ingested per second at /v1/metrics (decode, model,
 *    SQLite commit, answer), protobuf and JSON, the exporter in a child
 *    process and the load from this one. The payloads are real SDK exports
 *    (sim/connectors/sdk-connector.ts) of 200 connector instances, 100
 *    resources (600 points) per request as a Collector forwards them.
 *    Peer: a receiver on the same fastify that decodes with the
 *    OpenTelemetry JS project's own generated protobufjs decoder
 *    (otlp-transformer) or JSON.parse and walks every point, keeping nothing
 *    — so the peer does less work than we do.
 *
 *   npx tsx bench/connectors.ts [--quick]
 */
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { Agent, fetch, Pool } from 'undici';
import otlpRoot from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { connectorsConfigSchema } from '../exporters/connectors/config.js';
import { connectorsExporter, type ConnectorsExporter } from '../exporters/connectors/index.js';
import { systemClock } from '../exporters/core/clock.js';
import { silentLogger } from '../exporters/core/log.js';
import { startExporter } from '../exporters/core/runtime.js';
import { startChildExporter, startReadyProcess } from '../test/support/child-exporter.js';
import { tempDir } from '../test/support/exporter.js';
import { FakeConnector } from '../sim/connectors/fake-connector.js';
import { captureExport, type OtlpProtocol } from '../test/connectors/sdk-connector.js';
import { fmt, printTable, type Row } from './support/report.js';

const SCRIPT = 'bench/connectors.ts';
const quick = process.argv.includes('--quick');
const CONCURRENCY = 256;
const TIMEOUT_MS = 2000;
const SDK_INSTANCES = 200;
const RESOURCES_PER_REQUEST = 100;
const OTLP_REQUESTS = quick ? 100 : 200;
const IN_FLIGHT = 16;
const FLEET_FIRST_PORT = 20_000;

// ---- child roles -------------------------------------------------------------

/**
 * `--fleet N`: N ready fake connectors; prints their ports. They take ports
 * upward from FLEET_FIRST_PORT, below the ephemeral range, skipping any in
 * use: asking the kernel for 10k ephemeral ports (port 0) takes it minutes.
 */
async function runFleet(n: number): Promise<void> {
  const fakes: FakeConnector[] = [];
  for (let port = FLEET_FIRST_PORT; fakes.length < n; port++) {
    if (port > 65535) throw new Error('not enough free ports for the fleet');
    try {
      fakes.push(await FakeConnector.start('ready', ['127.0.0.1'], port));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  process.stdout.write(`READY ${fakes.map((f) => f.port).join(',')}\n`);
}

interface DecodedRequest {
  resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: Array<{ gauge?: { dataPoints?: unknown[] }; sum?: { dataPoints?: unknown[] } }> }> }>;
}
const requestType = (otlpRoot as unknown as { opentelemetry: { proto: { collector: { metrics: { v1: { ExportMetricsServiceRequest: { decode(b: Uint8Array): DecodedRequest } } } } } } })
  .opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

/** `--peer-otlp`: the peer receiver; prints its URL. */
async function runPeerReceiver(): Promise<void> {
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  let points = 0;
  app.post('/v1/metrics', async (request, reply) => {
    const decoded: DecodedRequest = request.headers['content-type'] === 'application/x-protobuf' ? requestType.decode(request.body as Buffer) : (request.body as DecodedRequest);
    for (const rm of decoded.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) points += (m.gauge ?? m.sum)?.dataPoints?.length ?? 0;
    return reply.code(200).type(String(request.headers['content-type'])).send(request.headers['content-type'] === 'application/json' ? '{}' : Buffer.alloc(0));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`READY http://127.0.0.1:${(app.server.address() as { port: number }).port}\n`);
}

// ---- part 1: probes ------------------------------------------------------------

async function ourProbes(addresses: string[], rounds: number): Promise<number> {
  const section = connectorsConfigSchema.parse({
    listen: { host: '127.0.0.1', port: 0 },
    probe: { interval_seconds: 3600, timeout_seconds: TIMEOUT_MS / 1000, concurrency: CONCURRENCY },
    static: [{ connector: 'bench', targets: addresses }],
  });
  const running = await startExporter(connectorsExporter, section, { dataDir: tempDir('fleetwatch-bench-'), clock: systemClock, log: silentLogger, env: {} });
  const instance = running.instance as ConnectorsExporter;
  try {
    await instance.probeRound(); // the round started with the exporter: warm-up
    const started = performance.now();
    for (let i = 0; i < rounds; i++) await instance.probeRound();
    const seconds = (performance.now() - started) / 1000;
    const ready = [...instance.model.all()].filter(([, r]) => r.state === 'ready').length;
    if (ready !== addresses.length) throw new Error(`only ${ready} of ${addresses.length} instances were seen ready`);
    return (rounds * addresses.length * 2) / seconds;
  } finally {
    await running.stop();
  }
}

async function peerProbes(addresses: string[], rounds: number): Promise<number> {
  const dispatcher = new Agent({ pipelining: 0 }); // no keep-alive: a connection per probe
  const get = async (url: string): Promise<number> => {
    try {
      const response = await fetch(url, { dispatcher, signal: AbortSignal.timeout(TIMEOUT_MS) });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  };
  const round = async (targets: string[]) => {
    let next = 0;
    let ok = 0;
    const worker = async () => {
      while (next < targets.length) {
        const address = targets[next++]!;
        const [health, ready] = await Promise.all([get(`http://${address}/health`), get(`http://${address}/ready`)]);
        if (health === 200 && ready === 200) ok += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (ok !== targets.length) throw new Error(`peer: only ${ok} of ${targets.length} instances answered 200`);
  };
  try {
    await round(addresses.slice(0, 1000)); // warm-up (ours has its first round)
    const started = performance.now();
    for (let i = 0; i < rounds; i++) await round(addresses);
    return (rounds * addresses.length * 2) / ((performance.now() - started) / 1000);
  } finally {
    await dispatcher.close();
  }
}

async function probeRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [n, rounds] of [
    [1_000, quick ? 1 : 3],
    [10_000, 1],
  ] as const) {
    const fleet = await startReadyProcess(SCRIPT, ['--fleet', String(n)], 120_000);
    try {
      const addresses = fleet.ready.split(',').map((port) => `127.0.0.1:${port}`);
      const ours = await ourProbes(addresses, rounds);
      const peer = await peerProbes(addresses, rounds);
      rows.push({ what: `probes/s (GETs), ${fmt(n)} instances, ${rounds} round${rounds > 1 ? 's' : ''}`, ours: fmt(ours), peer: fmt(peer), ratio: `${fmt(ours / peer, 2)}×` });
    } finally {
      await fleet.stop();
    }
  }
  return rows;
}

// ---- part 2: OTLP ingest -----------------------------------------------------------

/** Request bodies, each holding RESOURCES_PER_REQUEST instances' SDK exports, and the points in each. */
async function payloads(protocol: OtlpProtocol): Promise<{ bodies: Buffer[]; pointsPerBody: number }> {
  const exports: Buffer[] = [];
  for (let i = 0; i < SDK_INSTANCES; i++) {
    exports.push(
      await captureExport(protocol, { 'service.instance.id': `conn-${i}`, ConnectorName: `pg-${i % 10}`, 'service.version': i % 2 ? '1.35.0' : '1.36.0' }, (c) =>
        c.heartbeat().memory(20 + (i % 50)).connections(10 + i, i).ping(i + 1),
      ),
    );
  }
  const bodies: Buffer[] = [];
  for (let i = 0; i < exports.length; i += RESOURCES_PER_REQUEST) {
    const batch = exports.slice(i, i + RESOURCES_PER_REQUEST);
    if (protocol === 'protobuf') {
      // Concatenated protobuf messages merge: their repeated resource_metrics add up.
      bodies.push(Buffer.concat(batch));
    } else {
      const resourceMetrics = batch.flatMap((b) => (JSON.parse(b.toString('utf8')) as { resourceMetrics: unknown[] }).resourceMetrics);
      bodies.push(Buffer.from(JSON.stringify({ resourceMetrics })));
    }
  }
  return { bodies, pointsPerBody: RESOURCES_PER_REQUEST * 6 };
}

/** Sends OTLP_REQUESTS bodies with IN_FLIGHT outstanding; returns data points per second. */
async function blast(base: string, protocol: OtlpProtocol, bodies: Buffer[], pointsPerBody: number): Promise<number> {
  const url = new URL(base);
  const pool = new Pool(url.origin, { connections: IN_FLIGHT, pipelining: 1 });
  const contentType = protocol === 'protobuf' ? 'application/x-protobuf' : 'application/json';
  let next = 0;
  const worker = async () => {
    while (next < OTLP_REQUESTS) {
      const body = bodies[next++ % bodies.length]!;
      const response = await pool.request({ path: '/v1/metrics', method: 'POST', headers: { 'content-type': contentType }, body });
      await response.body.arrayBuffer();
      if (response.statusCode !== 200) throw new Error(`${base}: answered ${response.statusCode}`);
    }
  };
  try {
    const started = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return (OTLP_REQUESTS * pointsPerBody) / ((performance.now() - started) / 1000);
  } finally {
    await pool.close();
  }
}

async function otlpRows(): Promise<Row[]> {
  const ours = await startChildExporter({
    module: 'exporters/connectors/index.ts',
    exportName: 'connectorsExporter',
    dataDir: tempDir('fleetwatch-bench-'),
    sets: ['probe.interval_seconds=3600', `otlp.body_limit_bytes=${16 * 1024 * 1024}`],
  });
  const peer = await startReadyProcess(SCRIPT, ['--peer-otlp']);
  const rows: Row[] = [];
  try {
    for (const protocol of ['protobuf', 'json'] as const) {
      const { bodies, pointsPerBody } = await payloads(protocol);
      // A first pass creates the instances; the measured one updates them, as steady traffic does.
      await blast(ours.url, protocol, bodies, pointsPerBody);
      const oursRate = await blast(ours.url, protocol, bodies, pointsPerBody);
      await blast(peer.ready, protocol, bodies, pointsPerBody);
      const peerRate = await blast(peer.ready, protocol, bodies, pointsPerBody);
      rows.push({ what: `OTLP data points/s, ${protocol}, ${pointsPerBody} per request`, ours: fmt(oursRate), peer: fmt(peerRate), ratio: `${fmt(oursRate / peerRate, 2)}×` });
    }
  } finally {
    await ours.stop();
    await peer.stop();
  }
  return rows;
}

// ---- main ------------------------------------------------------------------------

const role = process.argv[2];
if (role === '--fleet') {
  await runFleet(Number(process.argv[3]));
} else if (role === '--peer-otlp') {
  await runPeerReceiver();
} else {
  printTable('Connector probes (loopback, fresh connection per GET, concurrency 256 instances)', 'undici fetch prober', await probeRows());
  printTable('OTLP ingest at /v1/metrics (loopback, 16 requests in flight)', 'protobufjs / JSON.parse receiver', await otlpRows());
}
