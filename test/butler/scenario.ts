/**
 * A butler exporter scraping one fake Butler, with a manual clock: the test
 * changes the fake's metrics the way a Butler cycle would, advances the
 * clock, and has the exporter scrape. Butler's clock is the same clock.
 */
import { ManualClock } from '../../exporters/core/clock.js';
import { butlerExporter, type ButlerExporter } from '../../exporters/butler/index.js';
import { startTestExporter, type TestExporter } from '../support/exporter.js';
import { FakeButlerMetrics } from '../../sim/butler/fake-butler-metrics.js';
import { startFakeButler, type FakeButlerServer } from '../../sim/butler/fake-butler-server.js';

export const REPO = 'cfg.example.com';
export const BUTLER_TOML = '/butler/butler.toml';
/** The managers of the fake Butler's config, and their files in REPO. */
export const MANAGERS = {
  prometheus: { files: ['prometheus.yml', 'rules/alerts.yml'], written: ['prometheus.yml', 'rules/alerts.yml'] },
  alertmanager: { files: ['alertmanager.yml'], written: ['alertmanager.yml'] },
} as const;
export type ManagerName = keyof typeof MANAGERS;

export const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export interface CycleOptions {
  /** Managers whose files changed: written, reloaded (successfully) and cached. */
  changed?: readonly ManagerName[];
  /** Files (config_file in REPO) whose download fails this cycle. */
  unreachable?: readonly string[];
  /** Managers no longer in Butler's config. */
  without?: readonly ManagerName[];
}

/**
 * One Butler cycle (RunCMHandler) as its metrics show it: butler.toml and
 * every file fetched, rendered and validated, except the unreachable ones,
 * whose manager then stops there; changed managers written, reloaded and
 * cached; with nothing changed, every manager marked in sync.
 */
export function butlerCycle(b: FakeButlerMetrics, now: number, opts: CycleOptions = {}): void {
  const changed = opts.changed ?? [];
  b.contact(REPO, BUTLER_TOML, true, now);
  for (const [manager, spec] of Object.entries(MANAGERS) as Array<[ManagerName, (typeof MANAGERS)[ManagerName]]>) {
    if (opts.without?.includes(manager)) continue;
    let allFetched = true;
    for (const file of spec.files) {
      if (opts.unreachable?.includes(file)) {
        b.contact(REPO, file, false, now).repoDown(manager);
        allFetched = false;
        continue;
      }
      b.contact(REPO, file, true, now).render(REPO, file, true, now).validate(REPO, file, manager, true);
    }
    if (!allFetched) continue;
    b.managerFilesOk(manager);
    if (changed.includes(manager)) {
      for (const file of spec.written) b.write(file, true, now);
      b.reload(manager, true, now).cache(manager);
    }
  }
  if (changed.length === 0) for (const manager of Object.keys(MANAGERS)) if (!opts.without?.includes(manager as ManagerName)) b.inSync(manager);
}

export interface Scenario {
  clock: ManualClock;
  butler: FakeButlerMetrics;
  fake: FakeButlerServer;
  exporter: TestExporter;
  instance: ButlerExporter;
  /** Butler's "now", in Unix seconds. */
  now(): number;
  /** Advances the clock, lets `change` act as Butler at the new time, serves the result and scrapes; returns /metrics. */
  step(seconds: number, change?: (b: FakeButlerMetrics, now: number) => void): Promise<string>;
  /** POSTs Butler log lines for the fake's instance; returns the response. */
  postLog(lines: string[]): Promise<Response>;
  close(): Promise<void>;
}

export interface ScenarioOptions {
  /** Config overrides; a function gets the fake Butler's instance (host:port). */
  sets?: string[] | ((instance: string) => string[]);
  dataDir?: string;
  /** What Butler looks like at the exporter's first scrape; a healthy Butler that reloaded everything a minute ago by default. */
  initial?: (b: FakeButlerMetrics, now: number) => void;
}

export async function startScenario(opts: ScenarioOptions = {}): Promise<Scenario> {
  const clock = new ManualClock();
  const now = () => clock.now() / 1000;
  const butler = new FakeButlerMetrics(now() - 3600);
  (opts.initial ?? ((b, t) => butlerCycle(b, t - 60, { changed: ['prometheus', 'alertmanager'] })))(butler, now());
  const fake = await startFakeButler(butler.text());
  const exporter = await startTestExporter(butlerExporter, {
    clock,
    dataDir: opts.dataDir,
    sets: [
      `targets=["${fake.instance}"]`,
      // Scrapes and log polls happen when the test says, not on timers.
      'scrape.interval_seconds=3600',
      'logs.poll_interval_seconds=3600',
      'managers={alertmanager: {manager_timeout_ok: true}}',
      ...(typeof opts.sets === 'function' ? opts.sets(fake.instance) : (opts.sets ?? [])),
    ],
  });
  const instance = exporter.instance as ButlerExporter;
  return {
    clock,
    butler,
    fake,
    exporter,
    instance,
    now,
    async step(seconds, change) {
      clock.advance(seconds * 1000);
      change?.(butler, now());
      fake.serve(butler.text());
      await instance.scrapeAll();
      return exporter.scrape();
    },
    postLog: (lines) =>
      fetch(`${exporter.url}/api/v1/butler/logs?instance=${encodeURIComponent(fake.instance)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: lines.join('\n') + '\n',
      }),
    async close() {
      await exporter.stop();
      await fake.close();
    },
  };
}

/** A Butler log line as logrus writes it to a file. */
export function logLine(seconds: number, level: 'info' | 'error', message: string): string {
  return `time="${iso(seconds)}" level=${level} msg=${JSON.stringify(message)}`;
}
