/**
 * Which Butlers to scrape: the static list and the file_sd files, merged.
 * A target is named by its instance (host:port, as Prometheus names it) and
 * scraped at its /metrics URL. In file_sd groups the Prometheus labels
 * `__scheme__` and `__metrics_path__` choose the URL; other labels are not
 * carried (Prometheus attaches its own when it scrapes this exporter).
 */
import { FileSdWatcher, type TargetGroup } from '../../core/file-sd.js';

export interface Target {
  instance: string;
  url: string;
}

const HOST_PORT = /^(?:[^\s/:[\]]+|\[[0-9a-fA-F:.]+\]):\d{1,5}$/;

/** A configured target: `host:port` (http, /metrics) or a full URL. */
export function staticTarget(spec: string): Target {
  if (/^https?:\/\//i.test(spec)) {
    const url = new URL(spec);
    // URL drops a scheme's default port; the instance is always host:port.
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return { instance: `${url.hostname}:${port}`, url: url.href };
  }
  return { instance: spec, url: `http://${spec}/metrics` };
}

/** The targets of file_sd groups; entries that are not host:port are reported and skipped. */
export function fileSdTargets(groups: readonly TargetGroup[], onInvalid: (message: string) => void): Target[] {
  const out: Target[] = [];
  for (const group of groups) {
    const scheme = group.labels.__scheme__ ?? 'http';
    const path = group.labels.__metrics_path__ ?? '/metrics';
    if (scheme !== 'http' && scheme !== 'https') {
      onInvalid(`${group.file}: __scheme__ must be http or https, got ${JSON.stringify(scheme)}`);
      continue;
    }
    for (const target of group.targets) {
      if (!HOST_PORT.test(target)) {
        onInvalid(`${group.file}: target ${JSON.stringify(target)} is not host:port`);
        continue;
      }
      out.push({ instance: target, url: `${scheme}://${target}${path.startsWith('/') ? path : `/${path}`}` });
    }
  }
  return out;
}

/** One target per instance; the first listed wins (static before file_sd). */
export function mergeTargets(...lists: Target[][]): Target[] {
  const byInstance = new Map<string, Target>();
  for (const t of lists.flat()) if (!byInstance.has(t.instance)) byInstance.set(t.instance, t);
  return [...byInstance.values()];
}

export interface TargetDiscoveryOptions {
  static: readonly string[];
  fileSdFiles: readonly string[];
  refreshMs: number;
  onChange: (targets: Target[]) => void;
  /** A file_sd file or entry could not be used; the last good groups stay. */
  onInvalid: (message: string) => void;
}

export class TargetDiscovery {
  private readonly statics: Target[];
  private fromFiles: Target[] = [];
  private readonly watcher: FileSdWatcher | undefined;

  constructor(private readonly opts: TargetDiscoveryOptions) {
    this.statics = opts.static.map(staticTarget);
    this.watcher =
      opts.fileSdFiles.length > 0
        ? new FileSdWatcher({
            files: opts.fileSdFiles,
            refreshMs: opts.refreshMs,
            onUpdate: (groups) => {
              this.fromFiles = fileSdTargets(groups, opts.onInvalid);
              opts.onChange(this.current());
            },
            onInvalid: (_file, message) => opts.onInvalid(message),
          })
        : undefined;
  }

  current(): Target[] {
    return mergeTargets(this.statics, this.fromFiles);
  }

  /** Reads the files once (reporting the targets), then watches them. */
  async start(): Promise<void> {
    if (this.watcher) await this.watcher.start();
    else this.opts.onChange(this.current());
  }

  /** Re-reads the files now. */
  async refresh(): Promise<void> {
    await this.watcher?.reload();
  }

  stop(): void {
    this.watcher?.stop();
  }
}
