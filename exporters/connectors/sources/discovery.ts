/**
 * Where the instances are: the static list, file_sd files (reloaded when they
 * change) and DNS names (re-resolved on `refreshDns`, once per probe
 * round), merged into one target list. Emits `targets` with the whole list
 * whenever it changes, and `failure` when a source fails and keeps its last
 * good targets.
 */
import { EventEmitter } from 'node:events';
import { FileSdWatcher } from '../../core/file-sd.js';
import type { DiscoverySource, Target } from '../targets.js';
import type { DnsDiscovery } from './dns.js';
import { checkConnectorGroups, groupsToTargets } from './file-sd.js';

export interface DiscoveryOptions {
  static: readonly Target[];
  fileSd?: { files: readonly string[]; connectorLabel: string; refreshMs: number };
  dns?: DnsDiscovery;
  /** The health port, for targets given without one. */
  defaultPort: number;
}

interface DiscoveryEvents {
  targets: [targets: Target[]];
  failure: [source: DiscoverySource, message: string];
}

export class Discovery extends EventEmitter<DiscoveryEvents> {
  private fileSdTargets: Target[] = [];
  private dnsTargets: Target[] = [];
  private signature: string | undefined;
  private started = false;
  private watcher: FileSdWatcher | undefined;

  constructor(private readonly opts: DiscoveryOptions) {
    super();
  }

  /** Loads every source once, then publishes the first list. */
  async start(): Promise<void> {
    const fileSd = this.opts.fileSd;
    if (fileSd && fileSd.files.length > 0) {
      this.watcher = new FileSdWatcher({
        files: fileSd.files,
        refreshMs: fileSd.refreshMs,
        check: (groups, file) => checkConnectorGroups(groups, file, fileSd.connectorLabel),
        onUpdate: (groups) => {
          this.fileSdTargets = groupsToTargets(groups, fileSd.connectorLabel, this.opts.defaultPort);
          this.publish();
        },
        onInvalid: (_file, message) => this.emit('failure', 'file_sd', message),
      });
      await this.watcher.start();
    }
    await this.refreshDns();
    this.started = true;
    this.publish();
  }

  stop(): void {
    this.watcher?.stop();
    this.opts.dns?.cancel();
  }

  /** Re-resolves every DNS name; publishes if the list changed. */
  async refreshDns(): Promise<void> {
    if (!this.opts.dns) return;
    const { targets, failures } = await this.opts.dns.resolve();
    for (const message of failures) this.emit('failure', 'dns', message);
    this.dnsTargets = targets;
    this.publish();
  }

  current(): Target[] {
    return [...this.opts.static, ...this.fileSdTargets, ...this.dnsTargets];
  }

  private publish(): void {
    if (!this.started) return;
    const targets = this.current();
    const signature = targets
      .map((t) => `${t.source}\n${t.connector}\n${t.address}`)
      .sort()
      .join('\n\n');
    if (signature === this.signature) return;
    this.signature = signature;
    this.emit('targets', targets);
  }
}
