/**
 * What the sources tell the model. Times are milliseconds since the epoch
 * on our clock, except where a field says it is Butler's (a value Butler
 * wrote: its `*_time` gauges, the timestamp of its log lines).
 */

/** Return codes in butler_remote_status and butler_reload_status besides HTTP codes. */
export const NO_RESPONSE = 0;
export const UNKNOWN_FAILURE = -1;

/** Butler's values for one manager at one scrape; a field is absent when its series is. */
export interface ManagerSample {
  reloadCount?: number;
  reloadSuccess?: number;
  /** butler_localconfig_reload_time: last successful reload, Unix seconds (Butler clock). */
  reloadTimeSeconds?: number;
  cached?: number;
  restored?: number;
}

/** Butler's values for one remote file (a managed file or butler.toml) at one scrape. */
export interface RemoteFileSample {
  repo: string;
  configFile: string;
  contactSuccess?: number;
  /** butler_remoterepo_contact_time: last successful fetch, Unix seconds (Butler clock). */
  contactTimeSeconds?: number;
  renderSuccess?: number;
  configValid?: number;
}

/** Butler's values for one local file it writes, by destination basename. */
export interface WrittenFileSample {
  file: string;
  writeSuccess?: number;
}

/** One good scrape of a Butler's /metrics, reduced to what the phases need. */
export interface ButlerSnapshot {
  /** process_start_time_seconds from Butler's Go client; it changes when Butler restarts. */
  processStartSeconds?: number;
  managers: Map<string, ManagerSample>;
  /** By the `file` label we derive (see fileLabel). */
  remoteFiles: Map<string, RemoteFileSample>;
  writtenFiles: Map<string, WrittenFileSample>;
}

export type ScrapeFailure = 'unreachable' | 'timeout' | 'http_status' | 'too_large' | 'invalid_exposition';

export type ButlerObservation =
  /** The targets discovery currently lists (static and file_sd). */
  | { kind: 'targets'; at: number; instances: readonly string[] }
  | { kind: 'scrape'; at: number; instance: string; snapshot: ButlerSnapshot }
  | { kind: 'scrape_failed'; at: number; instance: string; reason: ScrapeFailure }
  /**
   * A reload result from Butler's log (HTTPReloader::Reload): an HTTP code,
   * or NO_RESPONSE for Butler's code 1 (timeout or other transport error).
   * `loggedAt` is the line's own time (Butler clock, never after `at`).
   */
  | { kind: 'reload_logged'; at: number; instance: string; manager: string; code: number; loggedAt: number }
  /**
   * A failed fetch from Butler's log: the URL (or, for file and s3 repos,
   * the path) it logged, and the HTTP code or NO_RESPONSE.
   */
  | { kind: 'remote_logged'; at: number; instance: string; location: string; code: number; loggedAt: number };

/** The `file` label of the remote families: Butler's repo and config_file labels joined by one slash. */
export function fileLabel(repo: string, configFile: string): string {
  return configFile.startsWith('/') ? `${repo}${configFile}` : `${repo}/${configFile}`;
}
