/**
 * Alerts on Butler config reload phases (fleetwatch butler).
 *
 * Butler's failures stop config *changes* from landing; the managed
 * Prometheus or Alertmanager keeps running what it has. So nothing here pages:
 * every phase failure is a ticket, and the LKG restore (Butler's safety net
 * working) is information. Staleness is alerted on phase 1 only
 * (`butler_remote_time`): the later phases run only when a file changed, so
 * the age of `butler_reload_time` and `butler_lkg` says nothing about health.
 * Each file's age is measured in its own fetch interval: the scheduler
 * interval for managed files, the retrieve interval for butler.toml (the one
 * file `butler_retrieve_interval_seconds` names).
 *
 * Every series carries `instance` (the Butler target, `host:port`) and the
 * Prometheus `job`; joins are `on (job, instance)`. The scrape job of the
 * butler exporter needs `honor_labels: true`, or Prometheus renames the
 * Butler's `instance` to `exported_instance`.
 */
import { butlerCatalog as c } from '../../exporters/butler/catalog.js';
import { DASHBOARD_UIDS } from '../../dashboards/uids.js';
import { duration } from '../lib/time.js';
import type { RuleGroup, SeriesInput } from '../lib/types.js';

const fileDashboard = { uid: DASHBOARD_UIDS.butler, vars: { instance: 'instance', file: 'file' } };
const managerDashboard = { uid: DASHBOARD_UIDS.butler, vars: { instance: 'instance', manager: 'manager' } };

/** Phase 1 has no `for` that suits every scheduler interval, so staleness is counted in intervals. */
export const STALE_AFTER_INTERVALS = 3;

/** Recording rules, also read by the dashboard. */
export const REMOTE_AGE_SECONDS = 'instance_file:butler_remote_time:age_seconds';
export const REMOTE_INTERVAL_SECONDS = 'instance_file:butler_remote_time:interval_seconds';
export const REMOTE_AGE_INTERVALS = 'instance_file:butler_remote_time:age_intervals';

/**
 * ButlerRemoteStale's condition, without its `for`; the dashboard counts the
 * same. `selector` narrows the files (dashboard variables).
 */
export function remoteStale(selector = ''): string {
  const files = selector === '' ? '' : `{${selector}}`;
  // Only files whose last fetch succeeded (a failing fetch is ButlerRemoteFetchFailing, with its code),
  // on Butlers that answer (a down Butler's times are frozen: ButlerTargetDown).
  return `${REMOTE_AGE_SECONDS}${files} > on (job, instance, file) (${STALE_AFTER_INTERVALS} * ${REMOTE_INTERVAL_SECONDS}) unless on (job, instance, file) ${c.butler_remote_status} != 200 unless on (job, instance) ${c.butler_target_up} == 0`;
}

// The test fixtures: one Butler, one remote file, one written file, one manager.
const JOB = 'fleetwatch-butler';
const INSTANCE = 'butler-1:8080';
const REMOTE_FILE = 'cfg.example.com/rules/alerts.yml';
const WRITTEN_FILE = 'alerts.yml';
const target = `job="${JOB}",instance="${INSTANCE}"`;
/** A second Butler, for near misses that hang on the target's state. */
const DOWN_TARGET = `job="${JOB}",instance="butler-2:8080"`;
const remoteFile = (file = REMOTE_FILE) => `${target},file="${file}"`;
const manager = (name = 'prometheus') => `${target},manager="${name}"`;
const schedulerInterval = (seconds: number): SeriesInput => ({ series: `${c.butler_scheduler_interval_seconds}{${target}}`, values: `${seconds}x30` });
const BUTLER_TOML = 'cfg.example.com/butler/butler.toml';
const retrieveInterval = (seconds: number): SeriesInput => ({ series: `${c.butler_retrieve_interval_seconds}{${remoteFile(BUTLER_TOML)}}`, values: `${seconds}x30` });

const CODE_HINT = '(0: no response, -1: failed, code unknown)';

export const butlerRules: RuleGroup = {
  name: 'fleetwatch-butler',
  domain: 'butler',
  recording: [
    // Age of the last successful fetch: phase 1 runs every interval, so this is safe to alert on.
    { record: REMOTE_AGE_SECONDS, expr: `time() - ${c.butler_remote_time}` },
    // How often each file is fetched: butler.toml every retrieve interval (the exporter names it), the others every scheduler interval.
    {
      record: REMOTE_INTERVAL_SECONDS,
      expr: `${c.butler_retrieve_interval_seconds} or on (job, instance, file) (0 * ${c.butler_remote_time} + on (job, instance) group_left () ${c.butler_scheduler_interval_seconds})`,
    },
    // The age in the file's own intervals, so one dashboard threshold suits every file and Butler.
    { record: REMOTE_AGE_INTERVALS, expr: `${REMOTE_AGE_SECONDS} / on (job, instance, file) ${REMOTE_INTERVAL_SECONDS}` },
  ],
  alerts: [
    {
      alert: 'ButlerTargetDown',
      expr: `${c.butler_target_up} == 0`,
      for: duration('5m'),
      severity: 'warning',
      summary: 'A Butler cannot be scraped; its config phases are not monitored.',
      description: 'fleetwatch has failed to scrape Butler {{ $labels.instance }} for 5 minutes (butler_target_up = {{ $value }}); its phase metrics are frozen as of the last good scrape.',
      dashboard: { uid: DASHBOARD_UIDS.butler, vars: { instance: 'instance' } },
      fires: {
        series: [{ series: `${c.butler_target_up}{${target}}`, values: '1 1 0 0 0 0 0 0 0 0' }],
        at: '8m',
        labels: { job: JOB, instance: INSTANCE },
        description: `fleetwatch has failed to scrape Butler ${INSTANCE} for 5 minutes (butler_target_up = 0); its phase metrics are frozen as of the last good scrape.`,
      },
      nearMiss: {
        series: [{ series: `${c.butler_target_up}{${target}}`, values: '1 1 1 1 0 0 0 0 0 0' }],
        at: '8m',
        why: 'down for 4 minutes',
      },
    },
    {
      alert: 'ButlerRemoteFetchFailing',
      expr: `${c.butler_remote_status} != 200`,
      for: duration('10m'),
      severity: 'warning',
      summary: 'Butler cannot fetch a config file from its remote; changes to it are not applied.',
      description: `Butler {{ $labels.instance }} has failed to fetch {{ $labels.file }} for 10 minutes; the last fetch returned {{ $value }} ${CODE_HINT}.`,
      dashboard: fileDashboard,
      fires: {
        series: [{ series: `${c.butler_remote_status}{${remoteFile()}}`, values: '200 200 503x14' }],
        at: '13m',
        labels: { job: JOB, instance: INSTANCE, file: REMOTE_FILE },
        description: `Butler ${INSTANCE} has failed to fetch ${REMOTE_FILE} for 10 minutes; the last fetch returned 503 ${CODE_HINT}.`,
      },
      nearMiss: {
        series: [{ series: `${c.butler_remote_status}{${remoteFile()}}`, values: '200x3 0x13' }],
        at: '13m',
        why: 'failing for 9 minutes',
      },
    },
    {
      alert: 'ButlerRemoteStale',
      expr: remoteStale(),
      for: duration('5m'),
      severity: 'warning',
      summary: `Butler has not fetched a config file for over ${STALE_AFTER_INTERVALS} of its fetch intervals.`,
      description: `Butler {{ $labels.instance }} last fetched {{ $labels.file }} {{ $value | humanizeDuration }} ago, over ${STALE_AFTER_INTERVALS} fetch intervals (scheduler interval; retrieve interval for butler.toml), although its last fetch succeeded.`,
      dashboard: fileDashboard,
      fires: {
        // Fetched every minute until 3m, then never again: over 3 × 60 s old from 7m, for 5m at 12m.
        series: [
          schedulerInterval(60),
          { series: `${c.butler_remote_time}{${remoteFile()}}`, values: '0 60 120 180x27' },
          { series: `${c.butler_remote_status}{${remoteFile()}}`, values: '200x30' },
        ],
        at: '13m',
        labels: { job: JOB, instance: INSTANCE, file: REMOTE_FILE },
        description: `Butler ${INSTANCE} last fetched ${REMOTE_FILE} 10m 0s ago, over ${STALE_AFTER_INTERVALS} fetch intervals (scheduler interval; retrieve interval for butler.toml), although its last fetch succeeded.`,
      },
      nearMiss: {
        // alerts.yml is fetched only every 5 minutes with a 90 s interval: at most 240 s old, under 270 s;
        // rules.yml stopped at 3m, but its fetches fail: that is ButlerRemoteFetchFailing's to say;
        // butler.toml, last fetched at 8m, is 660 s old: over 3 scheduler intervals, under 3 of its 600 s retrieve interval.
        series: [
          schedulerInterval(90),
          retrieveInterval(600),
          { series: `${c.butler_remote_time}{${remoteFile(BUTLER_TOML)}}`, values: '0x7 480x12' },
          { series: `${c.butler_remote_status}{${remoteFile(BUTLER_TOML)}}`, values: '200x20' },
          // butler-2 went down at 2m: its frozen times are ButlerTargetDown's to say.
          { series: `${c.butler_target_up}{${DOWN_TARGET}}`, values: '1 1 0x18' },
          { series: `${c.butler_scheduler_interval_seconds}{${DOWN_TARGET}}`, values: '60x20' },
          { series: `${c.butler_remote_time}{${DOWN_TARGET},file="${REMOTE_FILE}"}`, values: '0 60 120x18' },
          { series: `${c.butler_remote_status}{${DOWN_TARGET},file="${REMOTE_FILE}"}`, values: '200x20' },
          { series: `${c.butler_remote_time}{${remoteFile()}}`, values: '0 0 0 0 0 300 300 300 300 300 600 600 600 600 600 900 900 900 900 900' },
          { series: `${c.butler_remote_status}{${remoteFile()}}`, values: '200x20' },
          { series: `${c.butler_remote_time}{${remoteFile('cfg.example.com/rules/rules.yml')}}`, values: '0 60 120 180x17' },
          { series: `${c.butler_remote_status}{${remoteFile('cfg.example.com/rules/rules.yml')}}`, values: '200 200 200 200 0x16' },
        ],
        at: '19m',
        why: 'fetched late but within 3 intervals (butler.toml: its retrieve interval), stale because the fetch fails, or on a Butler that is down',
      },
    },
    {
      alert: 'ButlerMustacheFailing',
      expr: `${c.butler_cfg_mustache} == 0`,
      for: duration('10m'),
      severity: 'warning',
      summary: "Butler cannot render a config file's mustache templates; the manager's files are not written.",
      description: "Butler {{ $labels.instance }} has failed to render the mustache templates of {{ $labels.file }} for 10 minutes (butler_cfg_mustache = {{ $value }}); none of its manager's files are written or reloaded.",
      dashboard: fileDashboard,
      fires: {
        series: [{ series: `${c.butler_cfg_mustache}{${remoteFile()}}`, values: '1 1 0x14' }],
        at: '13m',
        labels: { job: JOB, instance: INSTANCE, file: REMOTE_FILE },
        description: `Butler ${INSTANCE} has failed to render the mustache templates of ${REMOTE_FILE} for 10 minutes (butler_cfg_mustache = 0); none of its manager's files are written or reloaded.`,
      },
      nearMiss: {
        series: [{ series: `${c.butler_cfg_mustache}{${remoteFile()}}`, values: '1x3 0x13' }],
        at: '13m',
        why: 'failing for 9 minutes',
      },
    },
    {
      alert: 'ButlerRenderFailing',
      // Butler skips validation after a mustache failure and reports it invalid too: one cause, one alert.
      expr: `${c.butler_cfg_render} == 0 unless on (job, instance, file) ${c.butler_cfg_mustache} == 0`,
      for: duration('10m'),
      severity: 'warning',
      summary: "A config file fails Butler's parsing and validation; the manager's files are not written.",
      description: "Butler {{ $labels.instance }} has rejected {{ $labels.file }} as invalid {{ $labels.method }} for 10 minutes (butler_cfg_render = {{ $value }}); none of its manager's files are written or reloaded.",
      dashboard: fileDashboard,
      fires: {
        series: [
          { series: `${c.butler_cfg_render}{${remoteFile()},method="yml"}`, values: '1 1 0x14' },
          { series: `${c.butler_cfg_mustache}{${remoteFile()}}`, values: '1x16' },
        ],
        at: '13m',
        labels: { job: JOB, instance: INSTANCE, file: REMOTE_FILE, method: 'yml' },
        description: `Butler ${INSTANCE} has rejected ${REMOTE_FILE} as invalid yml for 10 minutes (butler_cfg_render = 0); none of its manager's files are written or reloaded.`,
      },
      nearMiss: {
        series: [
          { series: `${c.butler_cfg_render}{${remoteFile()},method="yml"}`, values: '1x3 0x13' },
          { series: `${c.butler_cfg_mustache}{${remoteFile()}}`, values: '1x16' },
          { series: `${c.butler_cfg_render}{${remoteFile('cfg.example.com/prometheus.yml')},method="yml"}`, values: '1 1 0x14' },
          { series: `${c.butler_cfg_mustache}{${remoteFile('cfg.example.com/prometheus.yml')}}`, values: '1 1 0x14' },
        ],
        at: '13m',
        why: 'invalid for 9 minutes, or invalid only because mustache failed',
      },
    },
    {
      alert: 'ButlerWriteFailing',
      expr: `${c.butler_write} == 0`,
      for: duration('5m'),
      severity: 'warning',
      summary: 'Butler cannot write a config file to disk; the file may be truncated and the manager is not reloaded.',
      description: 'Butler {{ $labels.instance }} has failed to write {{ $labels.file }} for 5 minutes (butler_write = {{ $value }}); the copy on disk may be partial.',
      dashboard: fileDashboard,
      fires: {
        series: [{ series: `${c.butler_write}{${target},file="${WRITTEN_FILE}"}`, values: '1 1 0x10' }],
        at: '8m',
        labels: { job: JOB, instance: INSTANCE, file: WRITTEN_FILE },
        description: `Butler ${INSTANCE} has failed to write ${WRITTEN_FILE} for 5 minutes (butler_write = 0); the copy on disk may be partial.`,
      },
      nearMiss: {
        series: [{ series: `${c.butler_write}{${target},file="${WRITTEN_FILE}"}`, values: '1x3 0x9' }],
        at: '8m',
        why: 'failing for 4 minutes',
      },
    },
    {
      alert: 'ButlerReloadFailing',
      // A timeout tolerated by manager-timeout-ok sets no status (the design note), so it never matches.
      expr: `${c.butler_reload_status} != 200`,
      for: duration('10m'),
      severity: 'warning',
      summary: 'A manager rejects or does not answer Butler\'s reload; the new config is not running.',
      description: `Butler {{ $labels.instance }} has failed to reload {{ $labels.manager }} for 10 minutes; the last attempt returned {{ $value }} ${CODE_HINT}.`,
      dashboard: managerDashboard,
      fires: {
        series: [{ series: `${c.butler_reload_status}{${manager()}}`, values: '200 200 500x14' }],
        at: '13m',
        labels: { job: JOB, instance: INSTANCE, manager: 'prometheus' },
        description: `Butler ${INSTANCE} has failed to reload prometheus for 10 minutes; the last attempt returned 500 ${CODE_HINT}.`,
      },
      nearMiss: {
        series: [
          { series: `${c.butler_reload_status}{${manager()}}`, values: '200x3 0x13' },
          // alertmanager failed 13 of the last 14 minutes, but a successful reload at 7m broke the run.
          { series: `${c.butler_reload_status}{${manager('alertmanager')}}`, values: '500x6 200 500x8' },
        ],
        at: '13m',
        why: 'failing for 9 minutes, or failures broken by a successful reload',
      },
    },
    {
      alert: 'ButlerLkgRestored',
      expr: `increase(${c.butler_lkg_restores_total}[${duration('1h')}]) > 0`,
      for: duration('0m'),
      severity: 'info',
      summary: "Butler restored a manager's last known good config after a failed reload.",
      description: 'Butler {{ $labels.instance }} restored the last known good config of {{ $labels.manager }} about {{ $value | printf "%.0f" }} time(s) in the last hour.',
      dashboard: managerDashboard,
      fires: {
        series: [{ series: `${c.butler_lkg_restores_total}{${manager()}}`, values: '0 0 0 1 1 1 1' }],
        at: '6m',
        labels: { job: JOB, instance: INSTANCE, manager: 'prometheus' },
        description: `Butler ${INSTANCE} restored the last known good config of prometheus about 1 time(s) in the last hour.`,
      },
      nearMiss: {
        series: [{ series: `${c.butler_lkg_restores_total}{${manager()}}`, values: '0 1x70' }],
        at: '70m',
        why: 'the last restore was over an hour ago',
      },
    },
  ],
};
