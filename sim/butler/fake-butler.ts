/**
 * A FAKE Butler (adobe/butler v1.5.0 is Go, with a config repo and managers
 * to reload: it cannot run here). One Butler process: its managers, the
 * files it fetches for them, the files on its disk, its status file and its
 * in-memory last-known-good cache, running the config-management cycle
 * (RunCMHandler) as shared/reference/butler.md describes it, and setting
 * its 18 gauges the way Butler's own helpers do:
 *
 *   fetch every file → mustache render → validate → (all passed?) write the
 *   changed ones → reload the managers with a written file (or, when nothing
 *   changed, those whose status-file entry is not true) → cache the LKG on
 *   200, restore it on any other failure (a timeout with manager-timeout-ok
 *   deletes the reload series instead).
 *
 * Butler fetches its own butler.toml on a second loop, every
 * -config.retrieve-interval (default 300 s), not every scheduler interval.
 *
 * No I/O and no clock: the simulator calls retrieveConfig(now) and
 * cycle(now) on their own intervals, serves `metrics` and forwards the log
 * lines cycle() returns.
 */
import { basename } from 'node:path';
import { FakeButlerMetrics } from './fake-butler-metrics.js';
import * as logs from './log-lines.js';

/** go-retryablehttp's attempts with Butler's default `retries` = 5. */
const DOWNLOAD_ATTEMPTS = 6;
/** The reloader's `retries` in the simulated butler.toml. */
const RELOAD_RETRIES = 2;

/** A file a manager fetches: one entry of its primary-config or additional-config. */
export interface RemoteFile {
  /** As written in butler.toml (the config_file label), e.g. `rules/prometheus-1.yml`. */
  readonly configFile: string;
  /** The destination basename (the write families' config_file). */
  readonly dest: string;
  /** The version the repo holds; a new one is a config change. */
  version: number;
  /** What the repo answers: 200, or a failing HTTP code (5xx is retried until Butler gives up). */
  answer: number;
  /** The version held is broken: its mustache tags do not parse, or it fails validation. */
  broken?: 'mustache' | 'invalid';
  /** The next download meets one transport error, is retried, then succeeds. */
  flakyOnce?: boolean;
}

export interface FakeManager {
  readonly name: string;
  /** manager-timeout-ok = "true". */
  readonly timeoutOk: boolean;
  /** The reloader's URL ([<manager>.reloader.http] host, port and uri). */
  readonly reloadUrl: string;
  /** The primary config first (merged into `<name>.yml`; one primary here), then the additional files. */
  readonly files: RemoteFile[];
  /** What the manager answers a reload: 200, another code (it rejects the config), or nothing within the timeout. */
  reloadAnswer: number | 'timeout';
  /** The next reload alone gets no answer in time. */
  slowOnce?: boolean;
  /** Destinations whose writes fail (a full or read-only disk). */
  readonly unwritable: Set<string>;
  /** What is on disk, by destination. */
  readonly disk: Map<string, string>;
  /** The in-memory LKG cache (enable-cache = "true"): the disk at the last successful reload of this process. */
  lkg?: Map<string, string>;
  /** Its entry in the status file; undefined on a fresh install. */
  statusOk?: boolean;
}

/** The managers a simulated Butler may have, in order, with where their reloaders listen and what their extra files are. */
const MANAGER_KINDS = [
  { name: 'prometheus', reload: 'http://localhost:9090/-/reload', extra: (i: number) => `rules/prometheus-${i}.yml` },
  { name: 'alertmanager', reload: 'http://localhost:9093/-/reload', extra: (i: number) => `templates/alertmanager-${i}.tmpl` },
  { name: 'ruler', reload: 'http://localhost:10902/-/reload', extra: (i: number) => `rules/ruler-${i}.yml` },
  { name: 'blackbox', reload: 'http://localhost:9115/-/reload', extra: (i: number) => `modules/blackbox-${i}.yml` },
  { name: 'federation', reload: 'http://localhost:9091/-/reload', extra: (i: number) => `targets/federation-${i}.json` },
] as const;

export const MAX_MANAGERS = MANAGER_KINDS.length;

/** The managers of a Butler's butler.toml: the first `count` kinds, each with `files` files, every one with enable-cache. */
export function fakeManagers(count: number, files: number, timeoutOk: readonly string[]): FakeManager[] {
  return MANAGER_KINDS.slice(0, count).map((kind) => {
    const names = [`${kind.name}.yml`, ...Array.from({ length: files - 1 }, (_, i) => kind.extra(i + 1))];
    return {
      name: kind.name,
      timeoutOk: timeoutOk.includes(kind.name),
      reloadUrl: kind.reload,
      files: names.map((configFile) => ({ configFile, dest: basename(configFile), version: 1, answer: 200 })),
      reloadAnswer: 200,
      unwritable: new Set(),
      disk: new Map(),
    };
  });
}

export class FakeButler {
  readonly metrics: FakeButlerMetrics;
  /** False while the process is down. */
  running = true;
  /** The config-management loop hangs (in a download, say); the butler.toml loop and /metrics go on. */
  stalled = false;
  /** RunCMHandler runs so far, as Butler logs them (`[count=N]`). */
  private count = 0;

  constructor(
    readonly name: string,
    readonly repo: string,
    readonly managers: FakeManager[],
    startSeconds: number,
  ) {
    this.metrics = new FakeButlerMetrics(startSeconds);
  }

  /** butler.toml's URL path (its config_file label; its repo label is the URL host). */
  get configPath(): string {
    return `/butler/${this.name}/butler.toml`;
  }

  /** The URL Butler fetches a file from: <method>://<repo>/<repo-path>/<config_file>. */
  fileUrl(manager: FakeManager, file: RemoteFile): string {
    return `http://${this.repo}/butler/${this.name}/${manager.name}/${file.configFile}`;
  }

  /** The process dies: no cycles, no /metrics (the simulator closes its server). */
  crash(): void {
    this.running = false;
  }

  /** A new process: an empty registry and LKG cache; disk and status file survive. */
  restart(now: number): void {
    this.metrics.restart(now);
    for (const m of this.managers) delete m.lkg;
    this.count = 0;
    this.stalled = false;
    this.running = true;
  }

  /** Phase 0, on Butler's own loop (ButlerConfig.Handler): butler.toml fetched at `now` (Unix seconds). */
  retrieveConfig(now: number): void {
    if (this.running) this.metrics.contact(this.repo, this.configPath, true, now);
  }

  /** One config-management cycle at `now` (Unix seconds); returns the log lines that carry a code. */
  cycle(now: number): string[] {
    const lines: string[] = [];
    if (!this.running || this.stalled) return lines;
    this.count++;

    const changed = this.managers.filter((m) => this.fetchAll(m, now, lines) && this.writeChanged(m, now));
    if (changed.length === 0) for (const m of this.managers) this.metrics.inSync(m.name);
    // Nothing written anywhere: the status file decides, so a failed reload is retried.
    const reloading = changed.length > 0 ? changed : this.managers.filter((m) => m.statusOk !== true);
    for (const m of reloading) this.reload(m, now, lines);
    return lines;
  }

  /** Phases 1, 2a, 2b for every file of the manager; true when all passed (Butler's CanCopyFiles gate). */
  private fetchAll(m: FakeManager, now: number, lines: string[]): boolean {
    let allPassed = true;
    for (const f of m.files) {
      if (f.answer !== 200) {
        this.metrics.contact(this.repo, f.configFile, false, now).repoDown(m.name);
        const url = this.fileUrl(m, f);
        lines.push(f.answer >= 500 ? logs.downloadGaveUp(now, this.count, m.name, url, DOWNLOAD_ATTEMPTS) : logs.downloadRefused(now, this.count, m.name, url, f.answer));
        allPassed = false;
        continue;
      }
      if (f.flakyOnce) {
        this.metrics.contactRetry(m.name, basename(f.configFile), now);
        delete f.flakyOnce;
      }
      this.metrics.contact(this.repo, f.configFile, true, now);
      const rendered = f.broken !== 'mustache';
      this.metrics.render(this.repo, f.configFile, rendered, now);
      if (!rendered) {
        allPassed = false;
        continue;
      }
      const valid = f.broken !== 'invalid';
      this.metrics.validate(this.repo, f.configFile, m.name, valid);
      if (!valid) allPassed = false;
    }
    if (allPassed) this.metrics.managerFilesOk(m.name);
    return allPassed;
  }

  /** Phase 3: writes each file that differs from the disk; true when one was written (a reload is due). */
  private writeChanged(m: FakeManager, now: number): boolean {
    let written = false;
    for (const f of m.files) {
      const wanted = `v${f.version}`;
      if (m.disk.get(f.dest) === wanted) continue;
      if (m.unwritable.has(f.dest)) {
        // In place, O_TRUNC: a failed write leaves a partial file, which differs next cycle too.
        this.metrics.write(f.dest, false, now);
        m.disk.set(f.dest, 'partial');
        continue;
      }
      this.metrics.write(f.dest, true, now);
      m.disk.set(f.dest, wanted);
      written = true;
    }
    return written;
  }

  /** Phases 4 and 5: the reload and what it does to the status file and the LKG. */
  private reload(m: FakeManager, now: number, lines: string[]): void {
    const answer = m.slowOnce ? 'timeout' : m.reloadAnswer;
    delete m.slowOnce;
    if (answer === 200) {
      this.metrics.reload(m.name, true, now).cache(m.name);
      m.statusOk = true;
      m.lkg = new Map(m.disk);
      lines.push(logs.reloadSucceeded(now, this.count, m.name));
      return;
    }
    if (answer === 'timeout') {
      // Code 1: retried (each retry counted), then given up.
      for (let i = 0; i < RELOAD_RETRIES; i++) this.metrics.reloadRetry(m.name);
      lines.push(logs.reloadTimedOut(now, this.count, m.name, m.reloadUrl, RELOAD_RETRIES + 1));
      if (m.timeoutOk) {
        // DeleteButlerReloadVal; status file, disk and cache left alone.
        this.metrics.deleteReload(m.name);
        return;
      }
    } else {
      lines.push(logs.reloadRefused(now, this.count, m.name, answer));
    }
    this.metrics.reload(m.name, false, now);
    m.statusOk = false;
    if (m.lkg) {
      // RestoreCachedConfigs: the cached files back on disk, no reload after it.
      for (const [dest, content] of m.lkg) m.disk.set(dest, content);
      this.metrics.restore(m.name);
    }
  }
}
