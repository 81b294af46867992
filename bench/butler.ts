/**
 * Scrape-and-derive time per Butler target, for a Butler with 50 managers ×
 * 20 files (1,000 remote files, 1,000 written files, ~7,500 series, as
 * Butler's Go client writes them). Every scrape sees a new Butler cycle
 * (all contact times move, a few managers reload), the worst case for the
 * model and the store.
 *
 * Peers, measured in the same run against the same loopback server:
 * - the floor: `fetch` + `text()` of the same exposition. Any scraper pays
 *   it, so ours minus it is what parsing, deriving and committing cost.
 * - prom-client rendering the same series from its registry: what it costs
 *   a Prometheus client to write this exposition, i.e. the other end of the
 *   same scrape, so ours is put next to the work of producing the input.
 *
 *   npx tsx bench/butler.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { ButlerModel } from '../exporters/butler/model.js';
import { parseExposition } from '../exporters/butler/exposition-parser.js';
import { butlerSnapshot } from '../exporters/butler/sources/butler-metrics.js';
import { Scraper } from '../exporters/butler/sources/scraper.js';
import { ManualClock } from '../exporters/core/clock.js';
import { silentLogger } from '../exporters/core/log.js';
import { Rejections } from '../exporters/core/self-metrics.js';
import { SqliteStore } from '../exporters/core/store.js';
import { tempDir } from '../test/support/exporter.js';
import { FakeButlerMetrics } from '../sim/butler/fake-butler-metrics.js';

const MANAGERS = 50;
const FILES = 20;
const CYCLES = 12;
const WARMUP = 5;
const RUNS = 40;

/** One Butler cycle over every manager and file; `reloading` managers were written and reloaded. */
function cycle(b: FakeButlerMetrics, now: number, reloading: (m: number) => boolean): void {
  for (let m = 0; m < MANAGERS; m++) {
    const manager = `manager-${m}`;
    const repo = `repo-${m}.example.com`;
    for (let f = 0; f < FILES; f++) {
      const file = `conf.d/file-${f}.yml`;
      b.contact(repo, file, true, now).render(repo, file, true, now).validate(repo, file, manager, true);
      if (reloading(m)) b.write(`${manager}-file-${f}.yml`, true, now);
    }
    b.managerFilesOk(manager);
    if (reloading(m)) b.reload(manager, true, now).cache(manager);
    else b.inSync(manager);
  }
}

function expositions(clock: ManualClock): string[] {
  const b = new FakeButlerMetrics(clock.now() / 1000 - 3600);
  const out: string[] = [];
  for (let c = 0; c < CYCLES; c++) {
    cycle(b, clock.now() / 1000 + c * 300, (m) => c === 0 || m % CYCLES === c);
    out.push(b.text());
  }
  return out;
}

async function time(label: string, run: () => Promise<unknown> | unknown): Promise<{ label: string; median: number; p90: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { label, median: samples[Math.floor(RUNS / 2)]!, p90: samples[Math.floor(RUNS * 0.9)]! };
}

/** prom-client holding the same series as the exposition, to render it as a client would. */
function promClientRegistry(text: string): Registry {
  const registry = new Registry();
  const gauges = new Map<string, Gauge>();
  for (const s of parseExposition(text).samples) {
    let gauge = gauges.get(s.name);
    if (!gauge) {
      gauge = new Gauge({ name: s.name, help: s.name, labelNames: Object.keys(s.labels), registers: [registry] });
      gauges.set(s.name, gauge);
    }
    gauge.set(s.labels, s.value);
  }
  return registry;
}

async function main(): Promise<void> {
  const clock = new ManualClock();
  const texts = expositions(clock);
  let served = 0;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(texts[served++ % texts.length]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = { instance: 'butler-bench:8080', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics` };

  const store = SqliteStore.open(tempDir('fleetwatch-bench-'), 'butler');
  const model = new ButlerModel({ staleAfterMs: 900_000, timeoutOk: () => false });
  model.apply({ kind: 'targets', at: clock.now(), instances: [target.instance] });
  const scraper = new Scraper({ timeoutMs: 10_000, maxBodyBytes: 32 << 20, concurrency: 1, clock, log: silentLogger, rejections: new Rejections(), ingest: async () => undefined });

  const ours = async () => {
    clock.advance(15_000);
    model.apply(await scraper.scrape(target));
    await store.commit(model.takeChanges());
  };
  await ours(); // the first scrape seeds; the timed ones derive

  const snapshots = texts.map((t) => butlerSnapshot(parseExposition(t)));
  const registry = promClientRegistry(texts[0]!);
  let parsed = 0;
  let derived = 0;
  const rows = [
    await time('floor: fetch + text()', async () => (await fetch(target.url)).text()),
    await time('ours: fetch, parse, derive, commit', ours),
    await time('  of which parse + read Butler families', () => butlerSnapshot(parseExposition(texts[parsed++ % texts.length]!))),
    await time('  of which derive + commit to SQLite', async () => {
      model.apply({ kind: 'scrape', at: clock.advance(15_000), instance: target.instance, snapshot: snapshots[derived++ % snapshots.length]! });
      await store.commit(model.takeChanges());
    }),
    await time('peer: prom-client renders the same series', () => registry.metrics()),
  ];

  const floor = rows[0]!.median;
  const bytes = texts[0]!.length;
  const series = parseExposition(texts[0]!).samples.length;
  console.log(`Butler with ${MANAGERS} managers × ${FILES} files: ${series} series, ${(bytes / 1024).toFixed(0)} KiB; ${RUNS} runs after ${WARMUP} warm-up, per target`);
  console.log('| what | median ms | p90 ms | × floor |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.median.toFixed(2)} | ${r.p90.toFixed(2)} | ${(r.median / floor).toFixed(2)} |`);

  server.close();
  await store.close();
}

await main();
