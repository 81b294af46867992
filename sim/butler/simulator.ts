/**
 * Simulated Butlers. Each is a FAKE Butler (fake-butler.ts) running its
 * config-management cycle every scheduler interval and fetching its
 * butler.toml every retrieve interval, and serving its own /metrics on its
 * own port; the butler exporter finds them in a file_sd file
 * written here and scrapes them, and the log lines that carry reload and
 * download codes are POSTed to the exporter's log intake, as a log shipper
 * would. Churn pushes new config versions that reload fine; each fault
 * breaks one file, one manager or one whole Butler until it is cleared.
 * Butler names, files and (with a base port) instances follow from their
 * index, so a restarted simulator is the same fleet.
 */
import { systemClock, type Clock } from '../../exporters/core/clock.js';
import type { Logger } from '../../exporters/core/log.js';
import { Schedule } from '../lib/schedule.js';
import type { AppliedFault } from '../lib/fault-book.js';
import { FaultingSimulator } from '../lib/faulting-simulator.js';
import type { FaultSpec } from '../lib/types.js';
import { UnknownFaultError } from '../lib/types.js';
import type { ButlerSimConfig } from './config.js';
import { FakeButler, fakeManagers, type FakeManager, type RemoteFile } from './fake-butler.js';
import { startFakeButler, type FakeButlerServer } from './fake-butler-server.js';
import { writeFileSd } from './file-sd.js';

const FAULTS: FaultSpec[] = [
  {
    name: 'butler-target-down',
    description:
      'A Butler process dies: its /metrics port stops answering (its frozen remote times are not called stale while it is down). Cleared: a new process starts (empty registry and LKG cache) and runs a cycle.',
    alerts: ['ButlerTargetDown'],
  },
  {
    name: 'butler-scheduler-stall',
    description: "A Butler's config-management loop hangs: /metrics and the butler.toml loop go on, but no managed file is fetched again.",
    alerts: ['ButlerRemoteStale'],
  },
  {
    name: 'butler-remote-down',
    description: 'The repo answers 503 for one managed file; Butler retries, gives up (code 0) every cycle, and writes nothing for that manager.',
    alerts: ['ButlerRemoteFetchFailing'],
  },
  {
    name: 'butler-mustache-error',
    description: 'A new version of one file has a mustache section that is never closed; its manager writes nothing. Cleared: a fixed version is pushed.',
    alerts: ['ButlerMustacheFailing'],
  },
  {
    name: 'butler-invalid-config',
    description: 'A new version of one file renders but fails validation (it does not parse); its manager writes nothing. Cleared: a fixed version is pushed.',
    alerts: ['ButlerRenderFailing'],
  },
  {
    name: 'butler-write-failure',
    description: "A new version of one file cannot be written (its manager's dest-path went read-only); Butler tries again every cycle. Cleared: the disk is writable again.",
    alerts: ['ButlerWriteFailing'],
  },
  {
    name: 'butler-reload-rejected',
    description: 'A manager answers 500 to the reload of a new config; Butler restores the last known good files, then writes and reloads again every cycle. Cleared: a fixed version is pushed.',
    alerts: ['ButlerReloadFailing', 'ButlerLkgRestored'],
  },
  {
    name: 'butler-reload-timeout',
    description: 'A manager with manager-timeout-ok false stops answering reloads; Butler counts a failure (code 1) and restores the last known good files every cycle. Cleared: the manager answers again.',
    alerts: ['ButlerReloadFailing', 'ButlerLkgRestored'],
  },
];

/** One simulated Butler and where it is served. */
interface SimButler {
  readonly butler: FakeButler;
  /** The port it listens on (kept across a restart). */
  port: number;
  /** advertise_host:port, as the file_sd file lists it. */
  instance: string;
  server: FakeButlerServer | undefined;
  /** A Butler-wide fault holds it. */
  held: boolean;
  /** Managers a fault holds. */
  readonly heldManagers: Set<string>;
}

const pickRandom = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

export class ButlerSimulator extends FaultingSimulator {
  readonly domain = 'butler' as const;
  private readonly schedule = new Schedule();
  private readonly nodes: SimButler[] = [];
  /** Log POSTs in flight, awaited on stop. */
  private readonly posting = new Set<Promise<void>>();

  constructor(
    private readonly config: ButlerSimConfig,
    private readonly log: Logger,
    /** Butler's clock: the times in its gauges and log lines. */
    private readonly clock: Clock = systemClock,
  ) {
    super(FAULTS, log);
  }

  /** The Butlers' instances (advertise_host:port), once started. */
  get instances(): string[] {
    return this.nodes.map((n) => n.instance);
  }

  async start(): Promise<void> {
    const c = this.config;
    const now = this.now();
    for (let i = 0; i < c.count; i++) {
      const butler = new FakeButler(`butler-${i}`, c.repo, fakeManagers(c.managers_per_butler, c.files_per_manager, c.timeout_ok_managers), now);
      // Butler loads butler.toml, then runs its first cycle; on a fresh install that writes and reloads everything.
      butler.retrieveConfig(now);
      butler.cycle(now);
      this.nodes.push({ butler, port: c.base_port === 0 ? 0 : c.base_port + i, instance: '', server: undefined, held: false, heldManagers: new Set() });
    }
    await Promise.all(this.nodes.map((node) => this.listen(node)));
    await writeFileSd(c.file_sd_path, this.instances);
    // The log POST is not awaited: a slow intake must not delay the next cycle.
    for (const node of this.nodes) {
      this.schedule.every(c.scheduler_interval_seconds * 1000, () => void this.runCycle(node));
      this.schedule.every(c.retrieve_interval_seconds * 1000, () => node.butler.retrieveConfig(this.now()));
    }
    this.schedule.every(c.churn.interval_seconds * 1000, () => this.churn());
    this.log.info({ butlers: this.nodes.length, file_sd: c.file_sd_path, first: this.nodes[0]?.instance }, 'simulated Butlers running');
  }

  async stop(): Promise<void> {
    this.schedule.stopAll();
    await Promise.all(this.nodes.map((node) => node.server?.close()));
    for (const node of this.nodes) node.server = undefined;
    await Promise.all(this.posting);
  }

  /** One cycle of every Butler now, its log lines delivered; the Butlers also do this every scheduler interval. */
  async cycleAll(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.runCycle(node)));
  }

  /** Every Butler fetches its butler.toml now; they also do this every retrieve interval. */
  retrieveAll(): void {
    for (const node of this.nodes) node.butler.retrieveConfig(this.now());
  }

  private now(): number {
    return this.clock.now() / 1000;
  }

  private async listen(node: SimButler): Promise<void> {
    const metrics = node.butler.metrics;
    node.server = await startFakeButler(() => metrics.text(), '/metrics', { host: this.config.host, port: node.port });
    node.port = node.server.port;
    node.instance = `${this.config.advertise_host}:${node.port}`;
  }

  private async runCycle(node: SimButler): Promise<void> {
    const lines = node.butler.cycle(this.now());
    if (lines.length > 0 && this.config.logs.enabled) await this.postLogs(node.instance, lines);
  }

  /** POSTs Butler's lines to the exporter's log intake; a refusal is logged, never retried (the next cycle logs again). */
  private postLogs(instance: string, lines: string[]): Promise<void> {
    const { url, token } = this.config.logs;
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    if (token) headers.authorization = `Bearer ${token}`;
    const posted = fetch(`${url}?instance=${encodeURIComponent(instance)}`, { method: 'POST', headers, body: `${lines.join('\n')}\n`, signal: AbortSignal.timeout(5000) })
      .then(async (response) => {
        if (response.status !== 202) this.log.debug({ instance, status: response.status, body: await response.text() }, 'log intake refused Butler lines');
        else await response.body?.cancel();
      })
      .catch((err: Error) => this.log.debug({ instance, err: err.message }, 'could not post Butler lines to the log intake'))
      .finally(() => this.posting.delete(posted));
    this.posting.add(posted);
    return posted;
  }

  /**
   * Background churn on a Butler and manager no fault holds: mostly a new
   * version of one file (written and reloaded at the Butler's next cycle);
   * sometimes a download that needs one retry, or a change whose reload
   * times out on a manager with manager-timeout-ok (tolerated, no alert).
   */
  private churn(): void {
    const node = pickRandom(this.nodes.filter((n) => !n.held && n.butler.running));
    const manager = node && pickRandom(node.butler.managers.filter((m) => !node.heldManagers.has(m.name)));
    const file = manager && pickRandom(manager.files);
    if (!manager || !file) return;
    const { retry_share, tolerated_timeout_share } = this.config.churn;
    const roll = Math.random();
    if (roll < retry_share) {
      file.flakyOnce = true;
      return;
    }
    file.version++;
    if (roll < retry_share + tolerated_timeout_share && manager.timeoutOk) manager.slowOnce = true;
  }

  /** A whole Butler for a Butler-wide fault: one no fault touches, from the end of the fleet (file and manager faults fill it from the start). */
  private pickButler(): SimButler {
    const node = [...this.nodes].reverse().find((n) => !n.held && n.heldManagers.size === 0 && n.butler.running);
    if (!node) throw new Error('no simulated Butler is free of faults; raise sim.butler.count');
    node.held = true;
    return node;
  }

  /** A manager no fault holds, on a Butler no Butler-wide fault holds, from the start of the fleet. */
  private pickManager(fits: (m: FakeManager) => boolean = () => true): { node: SimButler; manager: FakeManager; release: () => Promise<void> } {
    for (const node of this.nodes) {
      if (node.held || !node.butler.running) continue;
      const manager = node.butler.managers.find((m) => !node.heldManagers.has(m.name) && fits(m));
      if (!manager) continue;
      node.heldManagers.add(manager.name);
      return { node, manager, release: async () => void node.heldManagers.delete(manager.name) };
    }
    throw new Error('no simulated Butler has a manager free for this fault; raise sim.butler.count or managers_per_butler');
  }

  /** The file a file fault breaks: the manager's first additional file, else its primary. */
  private fileOf(manager: FakeManager): RemoteFile {
    return manager.files[1] ?? manager.files[0]!;
  }

  protected async apply(fault: string): Promise<AppliedFault> {
    const remoteTarget = (node: SimButler, f: RemoteFile) => `${node.instance} file=${this.config.repo}/${f.configFile}`;
    switch (fault) {
      case 'butler-target-down': {
        const node = this.pickButler();
        node.butler.crash();
        await node.server?.close();
        node.server = undefined;
        return {
          target: node.instance,
          undo: async () => {
            node.butler.restart(this.now());
            // The new process loads butler.toml, runs a cycle, and listens.
            node.butler.retrieveConfig(this.now());
            node.butler.cycle(this.now());
            await this.listen(node);
            node.held = false;
          },
        };
      }
      case 'butler-scheduler-stall': {
        const node = this.pickButler();
        node.butler.stalled = true;
        return {
          target: node.instance,
          undo: async () => {
            node.butler.stalled = false;
            await this.runCycle(node);
            node.held = false;
          },
        };
      }
      case 'butler-remote-down': {
        const { node, manager, release } = this.pickManager();
        const f = this.fileOf(manager);
        f.answer = 503;
        return {
          target: remoteTarget(node, f),
          undo: async () => {
            f.answer = 200;
            await release();
          },
        };
      }
      case 'butler-mustache-error':
      case 'butler-invalid-config': {
        const { node, manager, release } = this.pickManager();
        const f = this.fileOf(manager);
        f.version++;
        f.broken = fault === 'butler-mustache-error' ? 'mustache' : 'invalid';
        return {
          target: remoteTarget(node, f),
          undo: async () => {
            f.version++;
            delete f.broken;
            await release();
          },
        };
      }
      case 'butler-write-failure': {
        const { node, manager, release } = this.pickManager();
        const f = this.fileOf(manager);
        manager.unwritable.add(f.dest);
        f.version++;
        return {
          target: `${node.instance} file=${f.dest}`,
          undo: async () => {
            manager.unwritable.delete(f.dest);
            await release();
          },
        };
      }
      case 'butler-reload-rejected': {
        const { node, manager, release } = this.pickManager();
        manager.reloadAnswer = 500;
        this.fileOf(manager).version++;
        return {
          target: `${node.instance} manager=${manager.name}`,
          undo: async () => {
            manager.reloadAnswer = 200;
            this.fileOf(manager).version++;
            await release();
          },
        };
      }
      case 'butler-reload-timeout': {
        // A timeout only fails (and restores the LKG) where manager-timeout-ok is false.
        const { node, manager, release } = this.pickManager((m) => !m.timeoutOk);
        manager.reloadAnswer = 'timeout';
        this.fileOf(manager).version++;
        return {
          target: `${node.instance} manager=${manager.name}`,
          undo: async () => {
            manager.reloadAnswer = 200;
            await release();
          },
        };
      }
      default:
        throw new UnknownFaultError(fault);
    }
  }
}
