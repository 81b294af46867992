/**
 * A FAKE of Butler's metrics registry, for the simulator and the exporter's
 * tests: Butler itself (Go, with a remote repo and a Prometheus to reload)
 * cannot run here. It holds the 18
 * gauge families of adobe/butler internal/metrics/metrics.go with their
 * real names, help texts and label names, changes them the way Butler's
 * helpers do (SetButlerReloadVal, DeleteButlerReloadVal, CacheConfigs…),
 * and writes them as the Go client does: families by name, label names
 * sorted, series by label values, a family with no series left out, values
 * as Go formats them, plus process_start_time_seconds and a few go_* families.
 *
 * Times are Unix seconds on Butler's clock, given by the caller.
 */

const FAMILIES: Record<string, { help: string; labels: string[] }> = {
  butler_remoterepo_config_valid: { help: 'Is the butler configuration valid', labels: ['config_file', 'repo'] },
  butler_remoterepo_contact_retry: { help: 'Did butler retry contact the remote repository', labels: ['config_file', 'repo'] },
  butler_remoterepo_contact_retry_time: { help: 'Time that butler retried contact the remote repository', labels: ['config_file', 'repo'] },
  butler_remoterepo_contact_success: { help: 'Did butler successfully contact the remote repository', labels: ['config_file', 'repo'] },
  butler_remoterepo_contact_time: { help: 'Time that butler successfully contacted the remote repository', labels: ['config_file', 'repo'] },
  butler_lastknowngood_cached: { help: 'Did butler cache the known good configuration', labels: ['manager'] },
  butler_lastknowngood_restored: { help: 'Did butler restore the known good configuration', labels: ['manager'] },
  butler_localconfig_reload_count: { help: 'butler reload counter', labels: ['manager'] },
  butler_localconfig_reload_success: { help: 'Did butler successfully reload prometheus', labels: ['manager'] },
  butler_localconfig_reload_time: { help: 'Time that butler successfully reload prometheus', labels: ['manager'] },
  butler_manager_reload_retry: { help: 'How many retries has butler attempted to reload manager', labels: ['manager'] },
  butler_remoterepo_sanity: { help: 'Did all butler managed files pass the sanity checking', labels: ['manager'] },
  butler_remoterepo_up: { help: 'Have all the files been downloaded by butler', labels: ['manager'] },
  butler_localconfig_render_success: { help: 'Did butler successfully render the prometheus.yml', labels: ['config_file', 'repo'] },
  butler_localconfig_render_time: { help: 'Time that butler successfully rendered the prometheus.yml', labels: ['config_file', 'repo'] },
  butler_local_remote_insync: { help: 'Are the remote and local repo files the same', labels: ['manager'] },
  butler_localconfig_write_success: { help: 'Did butler successfully write the configuration', labels: ['config_file'] },
  butler_localconfig_write_time: { help: 'Time that butler successfully write the configuration', labels: ['config_file'] },
};

type Labels = Record<string, string>;

/** Go's strconv.FormatFloat(v, 'g', -1, 64), as the Go client writes values: exponent form from 1e6 and below 1e-4. */
function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [mantissa, exponent] = v.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  if (v !== 0 && (exp < -4 || exp >= 6)) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

export class FakeButlerMetrics {
  private series = new Map<string, Map<string, { labels: Labels; value: number }>>();
  /** The last exposition written, until a gauge changes: scrapes between two cycles cost nothing. */
  private written: string | undefined;

  constructor(private startSeconds: number) {}

  // --- what Butler's metric helpers do (internal/metrics/metrics.go) ---

  /** SetButlerContactVal: every download, of butler.toml and of each managed file. */
  contact(repo: string, file: string, ok: boolean, now: number): this {
    this.set('butler_remoterepo_contact_success', { config_file: file, repo }, ok ? 1 : 0);
    if (ok) this.set('butler_remoterepo_contact_time', { config_file: file, repo }, now);
    return this;
  }

  /**
   * SetButlerContactRetryVal: a managed-file download retried after a
   * transport error. Butler passes the manager as `repo` and the URL's
   * basename as `config_file` here (not the labels of the other families).
   */
  contactRetry(manager: string, urlBasename: string, now: number): this {
    const labels = { config_file: urlBasename, repo: manager };
    this.set('butler_remoterepo_contact_retry', labels, (this.get('butler_remoterepo_contact_retry', labels) ?? 0) + 1);
    return this.set('butler_remoterepo_contact_retry_time', labels, now);
  }

  /** SetButlerRenderVal and the provisional SetButlerConfigVal after a mustache render. */
  render(repo: string, file: string, ok: boolean, now: number): this {
    this.set('butler_localconfig_render_success', { config_file: file, repo }, ok ? 1 : 0);
    if (ok) this.set('butler_localconfig_render_time', { config_file: file, repo }, now);
    this.set('butler_remoterepo_config_valid', { config_file: file, repo }, ok ? 1 : 0);
    return this;
  }

  /** SetButlerConfigVal after ValidateConfig, and SetButlerRemoteRepoSanity(FAILURE) on failure. */
  validate(repo: string, file: string, manager: string, ok: boolean): this {
    this.set('butler_remoterepo_config_valid', { config_file: file, repo }, ok ? 1 : 0);
    if (!ok) this.set('butler_remoterepo_sanity', { manager }, 0);
    return this;
  }

  /** SetButlerRemoteRepoUp(FAILURE) when a download fails. */
  repoDown(manager: string): this {
    return this.set('butler_remoterepo_up', { manager }, 0);
  }

  /** All files of a manager passed: SetButlerRemoteRepoUp and Sanity(SUCCESS). */
  managerFilesOk(manager: string): this {
    this.set('butler_remoterepo_up', { manager }, 1);
    return this.set('butler_remoterepo_sanity', { manager }, 1);
  }

  /** SetButlerWriteVal: only when a changed file is written. */
  write(file: string, ok: boolean, now: number): this {
    this.set('butler_localconfig_write_success', { config_file: file }, ok ? 1 : 0);
    if (ok) this.set('butler_localconfig_write_time', { config_file: file }, now);
    return this;
  }

  /** SetButlerReloadVal: count +1, success 0/1, time on success. */
  reload(manager: string, ok: boolean, now: number): this {
    this.set('butler_localconfig_reload_count', { manager }, (this.get('butler_localconfig_reload_count', { manager }) ?? 0) + 1);
    this.set('butler_localconfig_reload_success', { manager }, ok ? 1 : 0);
    if (ok) this.set('butler_localconfig_reload_time', { manager }, now);
    return this;
  }

  /** DeleteButlerReloadVal: a timeout with manager-timeout-ok. */
  deleteReload(manager: string): this {
    for (const name of ['butler_localconfig_reload_count', 'butler_localconfig_reload_success', 'butler_localconfig_reload_time', 'butler_manager_reload_retry']) {
      this.delete(name, { manager });
    }
    return this;
  }

  /** SetButlerReloaderRetry: a retryable reloader attempt. */
  reloadRetry(manager: string): this {
    return this.set('butler_manager_reload_retry', { manager }, (this.get('butler_manager_reload_retry', { manager }) ?? 0) + 1);
  }

  /** CacheConfigs: the LKG is stored. */
  cache(manager: string): this {
    this.set('butler_lastknowngood_cached', { manager }, 1);
    return this.set('butler_lastknowngood_restored', { manager }, 0);
  }

  /** RestoreCachedConfigs with a cache: the LKG is written back. */
  restore(manager: string): this {
    this.set('butler_lastknowngood_cached', { manager }, 0);
    return this.set('butler_lastknowngood_restored', { manager }, 1);
  }

  /** SetButlerRepoInSync: a cycle in which nothing changed. */
  inSync(manager: string): this {
    return this.set('butler_local_remote_insync', { manager }, 1);
  }

  /** A new Butler process: an empty registry and a new start time. */
  restart(startSeconds: number): this {
    this.series.clear();
    this.startSeconds = startSeconds;
    this.written = undefined;
    return this;
  }

  get(name: string, labels: Labels): number | undefined {
    return this.series.get(name)?.get(this.key(name, labels))?.value;
  }

  /** The exposition, as Butler's promhttp handler writes it (text format 0.0.4). */
  text(): string {
    if (this.written !== undefined) return this.written;
    let out = '';
    for (const name of Object.keys(FAMILIES).sort()) {
      const family = this.series.get(name);
      if (!family || family.size === 0) continue;
      out += `# HELP ${name} ${FAMILIES[name]!.help}\n# TYPE ${name} gauge\n`;
      for (const key of [...family.keys()].sort()) {
        const s = family.get(key)!;
        const labels = Object.keys(s.labels)
          .sort()
          .map((l) => `${l}="${s.labels[l]!.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
          .join(',');
        out += `${name}{${labels}} ${goFloat(s.value)}\n`;
      }
    }
    out += '# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines 14\n';
    out += '# HELP go_memstats_alloc_bytes Number of bytes allocated and still in use.\n# TYPE go_memstats_alloc_bytes gauge\ngo_memstats_alloc_bytes 3.145728e+06\n';
    out += `# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ${goFloat(this.startSeconds)}\n`;
    out += '# HELP promhttp_metric_handler_requests_total Total number of scrapes by HTTP status code.\n# TYPE promhttp_metric_handler_requests_total counter\n';
    out += 'promhttp_metric_handler_requests_total{code="200"} 7\npromhttp_metric_handler_requests_total{code="500"} 0\n';
    this.written = out;
    return out;
  }

  private set(name: string, labels: Labels, value: number): this {
    const spec = FAMILIES[name];
    if (!spec || spec.labels.some((l) => labels[l] === undefined)) throw new Error(`fake Butler: ${name} takes labels ${spec?.labels.join(', ')}`);
    let family = this.series.get(name);
    if (!family) this.series.set(name, (family = new Map()));
    family.set(this.key(name, labels), { labels, value });
    this.written = undefined;
    return this;
  }

  private delete(name: string, labels: Labels): void {
    if (this.series.get(name)?.delete(this.key(name, labels))) this.written = undefined;
  }

  private key(name: string, labels: Labels): string {
    return FAMILIES[name]!.labels.map((l) => labels[l]).join('\u0000');
  }
}
