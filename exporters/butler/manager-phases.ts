/**
 * Phases 4 (reload) and 5 (last known good) of one manager, derived by
 * comparing two consecutive good scrapes of its Butler, and refined by the
 * reload results Butler logs. Pure: the caller hands in times.
 *
 * What Butler's gauges say, and how it is read (internal/metrics, handler.go):
 * - butler_localconfig_reload_count goes up by one per attempt, success or
 *   failure: it going up by n means n attempts since the last scrape.
 * - reload_success is the last attempt's result; reload_time the last success.
 * - A timeout with manager-timeout-ok deletes the count, success, time and
 *   retry series: the count vanishing while the manager is still there (or
 *   coming back lower or no higher with a newer reload time) is a tolerated
 *   timeout (see reloadSeriesRestarted).
 * - After a successful reload with enable-cache Butler stores the LKG and sets
 *   cached=1, restored=0; a failed reload restores it: cached=0, restored=1.
 *   Restored staying 1 across another failed attempt is another restore.
 *
 * The decision flow of the design note: 200 sets status and time (and the
 * LKG time); a timeout sets them only when timeout-ok is false; any other
 * code sets them (and Butler restores the LKG).
 */
import { NO_RESPONSE, UNKNOWN_FAILURE, type ManagerSample } from './observations.js';

export const RELOAD_RESULTS = ['success', 'failure', 'timeout', 'unknown'] as const;
export type ReloadResult = (typeof RELOAD_RESULTS)[number];

export interface ManagerRecord {
  instance: string;
  manager: string;
  /** Butler's values at the last good scrape: the baseline for the next one. */
  butler: ManagerSample;
  /** butler_reload_status: the last attempt's code. */
  status?: number;
  /** butler_reload_time: the last attempt (ms). */
  time?: number;
  /** butler_lkg: when the LKG was last stored (ms). */
  lkg?: number;
  restores: number;
  reloads: Record<ReloadResult, number>;
  /** The last reload result the log gave: its code, its time (Butler clock) and when it arrived (ours). */
  lastLog?: { code: number; at: number; arrivedAt: number };
  /** Since when the manager has been absent from good scrapes (ms). */
  missingSince?: number;
}

export function newManagerRecord(instance: string, manager: string): ManagerRecord {
  return { instance, manager, butler: {}, restores: 0, reloads: { success: 0, failure: 0, timeout: 0, unknown: 0 } };
}

export interface ScrapeContext {
  /** When this scrape was taken (ms). */
  at: number;
  /** When the previous good scrape was taken (ms); the attempts seen now happened after it. */
  previousAt: number | undefined;
}

const seconds = (s: number | undefined) => (s === undefined ? undefined : s * 1000);

/**
 * The first scrape of a Butler: there is no baseline to compare with, so
 * nothing is counted; status, time and LKG time are taken from what the
 * gauges say about the past.
 */
export function seedManager(rec: ManagerRecord, cur: ManagerSample): void {
  if (cur.reloadSuccess === 1) {
    rec.status = 200;
    rec.time = seconds(cur.reloadTimeSeconds);
  } else if (cur.reloadSuccess === 0) {
    rec.status = UNKNOWN_FAILURE;
  }
  updateLkg(rec, cur);
}

/**
 * Whether the manager's reload series started again from nothing since
 * `baseline`: Butler deleted them (a timeout tolerated by
 * manager-timeout-ok) or restarted. Seen as the count or the reload time
 * vanishing, the count coming back lower, or the reload time moving (a
 * success) although the count rose too little to hold that success.
 */
export function reloadSeriesRestarted(baseline: ManagerSample, cur: ManagerSample): boolean {
  const before = baseline.reloadCount;
  const after = cur.reloadCount;
  if (before === undefined) return false;
  if (after === undefined || after < before) return true;
  if (baseline.reloadTimeSeconds !== undefined && cur.reloadTimeSeconds === undefined) return true;
  const succeeded = cur.reloadTimeSeconds !== undefined && (baseline.reloadTimeSeconds === undefined || cur.reloadTimeSeconds > baseline.reloadTimeSeconds);
  // The last attempt's result is known; a success must be among the others if it failed.
  const roomForSuccess = cur.reloadSuccess === 1 ? after - before : after - before - 1;
  return succeeded && roomForSuccess < 1;
}

/**
 * A later scrape, against `baseline`: Butler's values at the previous good
 * scrape, or `{}` after a Butler restart (its gauges start again from none).
 */
export function deriveManager(rec: ManagerRecord, baseline: ManagerSample, cur: ManagerSample, ctx: ScrapeContext): void {
  const before = baseline.reloadCount;
  const after = cur.reloadCount;
  const deleted = reloadSeriesRestarted(baseline, cur);
  if (deleted) rec.reloads.timeout += 1;
  const attempts = after === undefined ? 0 : before === undefined || deleted ? after : after - before;

  let last: ReloadResult | undefined;
  if (attempts > 0) {
    last = cur.reloadSuccess === 1 ? 'success' : 'failure';
    rec.reloads[last] += 1;
    rec.reloads.unknown += attempts - 1;
  }

  if (last === 'success') {
    rec.status = 200;
    rec.time = seconds(cur.reloadTimeSeconds) ?? ctx.at;
  } else if (last === 'failure') {
    const log = rec.lastLog;
    const loggedSincePrevious = log !== undefined && log.code !== 200 && (ctx.previousAt === undefined || log.arrivedAt > ctx.previousAt);
    rec.status = loggedSincePrevious ? log.code : UNKNOWN_FAILURE;
    rec.time = loggedSincePrevious ? log.at : ctx.at;
  }

  if (cur.restored === 1 && (baseline.restored !== 1 || last === 'failure')) rec.restores += 1;
  updateLkg(rec, cur);
}

/** The LKG is stored at each successful reload while the cache is in use (cached or restored is 1). */
function updateLkg(rec: ManagerRecord, cur: ManagerSample): void {
  const cacheInUse = cur.cached === 1 || cur.restored === 1;
  const storedAt = seconds(cur.reloadTimeSeconds);
  if (cacheInUse && storedAt !== undefined && (rec.lkg === undefined || storedAt > rec.lkg)) rec.lkg = storedAt;
}

/**
 * A reload result from the log. It sets status and time at once when it is
 * news: not older than the attempt shown (lines arrive in order), or the
 * code of a failure a scrape revealed without one. A timeout tolerated by
 * manager-timeout-ok sets nothing (the design note), but is remembered
 * should the scrape show Butler counted it as a failure after all.
 */
export function applyReloadLog(rec: ManagerRecord, code: number, loggedAt: number, arrivedAt: number, timeoutOk: boolean): void {
  rec.lastLog = { code, at: loggedAt, arrivedAt };
  if (code === NO_RESPONSE && timeoutOk) return;
  const refinesUnknown = rec.status === UNKNOWN_FAILURE && code !== 200;
  if (refinesUnknown || rec.time === undefined || loggedAt >= rec.time) {
    rec.status = code;
    rec.time = loggedAt;
  }
}
