/**
 * Phases 1 to 3 of one file. Remote files (managed files and butler.toml)
 * carry phase 1 (remote status and time) and, for managed files, phase 2
 * (mustache, render). Local files carry phase 3 (write). Butler sets these
 * gauges every cycle (phase 3: every write), so a scrape reads them as they
 * are; only the remote's return code needs more than the gauge gives.
 */
import { UNKNOWN_FAILURE, type RemoteFileSample, type WrittenFileSample } from './observations.js';

export interface RemoteFileRecord {
  instance: string;
  /** The `file` label: repo/config_file. */
  file: string;
  repo: string;
  configFile: string;
  /** butler_remote_status. */
  status?: number;
  /** butler_remote_time: the last successful fetch (ms, Butler clock). */
  time?: number;
  mustache?: number;
  render?: number;
  missingSince?: number;
}

export interface WrittenFileRecord {
  instance: string;
  file: string;
  write?: number;
  missingSince?: number;
}

export type RenderMethod = 'yml' | 'json' | 'text';

/**
 * butler.toml, Butler's own config: Butler labels it with the URL path of
 * -config.path (absolute), where a managed file carries its
 * primary-config or additional-config entry (relative).
 */
export function isButlerConfig(rec: { configFile: string }): boolean {
  return rec.configFile.startsWith('/');
}

/** How Butler's `auto` content type validates a file: by the end of its name (helpers.go getFileExtension). */
export function renderMethod(configFile: string): RenderMethod {
  const name = configFile.toLowerCase();
  if (name.endsWith('json')) return 'json';
  if (name.endsWith('yaml') || name.endsWith('yml')) return 'yml';
  return 'text';
}

/**
 * A scrape's view of a remote file. A failure keeps the code already known
 * for it (the log gave it, and it is still failing) and is otherwise -1:
 * the gauge says only that it failed.
 */
export function updateRemoteFile(rec: RemoteFileRecord, cur: RemoteFileSample): void {
  if (cur.contactSuccess === 1) rec.status = 200;
  else if (cur.contactSuccess === 0 && (rec.status === undefined || rec.status === 200)) rec.status = UNKNOWN_FAILURE;
  if (cur.contactTimeSeconds !== undefined) {
    const ms = cur.contactTimeSeconds * 1000;
    if (rec.time === undefined || ms > rec.time) rec.time = ms;
  }
  if (cur.renderSuccess !== undefined) rec.mustache = cur.renderSuccess;
  if (cur.configValid !== undefined) rec.render = cur.configValid;
}

/** A failed fetch from the log; ignored when a success since then is already known. */
export function applyRemoteLog(rec: RemoteFileRecord, code: number, loggedAt: number): void {
  if (rec.time === undefined || loggedAt > rec.time) rec.status = code;
}

export function updateWrittenFile(rec: WrittenFileRecord, cur: WrittenFileSample): void {
  if (cur.writeSuccess !== undefined) rec.write = cur.writeSuccess;
}

/**
 * The remote file a logged location names. Butler logs the URL it built,
 * `<method>://<repo>/<repo-path>/<config_file>` (for file and s3 repos only
 * the path after the repo), so the location ends with the file's
 * config_file, and a URL's host is its repo (slashes removed, as Butler
 * does). Undefined when no file, or more than one, fits.
 */
export function matchRemoteFile<R extends RemoteFileRecord>(files: Iterable<R>, location: string): R | undefined {
  let host: string | undefined;
  let path = location;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/]*)(.*)$/.exec(location);
  if (scheme) {
    host = scheme[1];
    path = scheme[2]!;
  }
  const fits = (rec: R) => {
    const name = rec.configFile.replace(/^\/+/, '');
    return name !== '' && (path === `/${name}` || path === name || path.endsWith(`/${name}`));
  };
  const onRepo = (rec: R) => host === undefined || rec.repo.replace(/\//g, '') === host;
  const candidates = [...files].filter((rec) => fits(rec) && onRepo(rec));
  return candidates.length === 1 ? candidates[0] : undefined;
}
