/**
 * Every family the butler exporter emits. The phase families keep the names
 * of Butler's metrics design note (adobe/butler issue #12), which predate the
 * naming guide: `butler_remote_time`, `butler_reload_time` and `butler_lkg`
 * are Unix times in seconds although their names do not say so. They are
 * declared without a unit (the lint would ask for a `_seconds` suffix the
 * design note does not have); their help says the unit instead.
 */
import { defineCatalog } from '../core/catalog.js';

export const butlerCatalog = defineCatalog('butler', {
  butler_target_up: {
    type: 'gauge',
    help: '1 if the last scrape of this Butler /metrics returned a well-formed exposition, else 0 (unreachable, timed out, non-200, unparseable).',
    labels: ['instance'],
    cardinality: 'one per Butler target',
  },
  butler_target_last_scrape_timestamp_seconds: {
    type: 'gauge',
    help: 'When this Butler was last scraped successfully, as a Unix time; the derived families below are as of then.',
    labels: ['instance'],
    unit: 'seconds',
    cardinality: 'one per Butler target',
  },
  butler_scheduler_interval_seconds: {
    type: 'gauge',
    help: "Butler's scheduler-interval as configured here: how often phase 1 (remote) runs for the managed files, for alerting on their butler_remote_time.",
    labels: ['instance'],
    unit: 'seconds',
    cardinality: 'one per Butler target',
  },
  butler_retrieve_interval_seconds: {
    type: 'gauge',
    help: "Butler's -config.retrieve-interval as configured here: how often it fetches its own config, butler.toml, the file named by `file` (as in butler_remote_time), for alerting on that file's butler_remote_time instead of the scheduler interval.",
    labels: ['instance', 'file'],
    unit: 'seconds',
    cardinality: 'one per Butler target (its butler.toml)',
  },
  butler_remote_status: {
    type: 'gauge',
    help: "Phase 1, every interval: the remote's answer to the last fetch of the file (repo/config_file). 200 on success (any method); the HTTP code from Butler's log; 0 when no response came (timeout, connection error, retries exhausted); -1 when it failed and no log line gave the code. From butler_remoterepo_contact_success and the DownloadConfigFile log lines.",
    labels: ['instance', 'file'],
    cardinality: 'one per remote file Butler fetches (its managed files and butler.toml)',
  },
  butler_remote_time: {
    type: 'gauge',
    help: 'Phase 1, every interval: when the file was last fetched successfully, as a Unix time in seconds (Butler clock). Safe to alert on: phase 1 runs every scheduler interval. From butler_remoterepo_contact_time.',
    labels: ['instance', 'file'],
    cardinality: 'one per remote file Butler fetched at least once',
  },
  butler_cfg_mustache: {
    type: 'gauge',
    help: 'Phase 2a: 1 if the last mustache render of the file succeeded, else 0. From butler_localconfig_render_success.',
    labels: ['instance', 'file'],
    cardinality: 'one per managed remote file',
  },
  butler_cfg_render: {
    type: 'gauge',
    help: 'Phase 2b: 1 if the file passed parsing and validation as yml, json or text (method, from its extension), else 0; also 0 when mustache failed, as Butler then skips validation. From butler_remoterepo_config_valid.',
    labels: ['instance', 'file', 'method'],
    cardinality: 'one per managed remote file (method is fixed per file)',
  },
  butler_write: {
    type: 'gauge',
    help: 'Phase 3: 1 if the last write of this local file succeeded, else 0. Butler writes only changed files, so this can be old. From butler_localconfig_write_success.',
    labels: ['instance', 'file'],
    cardinality: 'one per local file Butler has written',
  },
  butler_reload_status: {
    type: 'gauge',
    help: "Phase 4: the return code of the manager's last reload attempt. 200 success; the HTTP code from Butler's log; 0 for a timeout (no response) when manager-timeout-ok is false; -1 when it failed and no log line gave the code. Not set for timeouts tolerated by manager-timeout-ok. From butler_localconfig_reload_count/_success and the HTTPReloader log lines.",
    labels: ['instance', 'manager'],
    cardinality: 'one per manager',
  },
  butler_reload_time: {
    type: 'gauge',
    help: "Phase 4: when the manager's reload was last attempted (succeeded, failed or timed out with timeout-ok false), as a Unix time in seconds. Reloads only follow a changed file, so do not alert on its age. Derived from butler_localconfig_reload_count changing between scrapes.",
    labels: ['instance', 'manager'],
    cardinality: 'one per manager that has reloaded',
  },
  butler_lkg: {
    type: 'gauge',
    help: "Phase 5: when the manager's last known good config was last stored (after a successful reload, enable-cache on), as a Unix time in seconds. Only follows a changed file, so do not alert on its age. From butler_localconfig_reload_time while butler_lastknowngood_cached or _restored is 1; absent after a Butler restart until the new process stores one (the cache is in its memory).",
    labels: ['instance', 'manager'],
    cardinality: 'one per manager with enable-cache',
  },
  butler_lkg_restores_total: {
    type: 'counter',
    help: 'Phase 5: times Butler restored the last known good config after a failed reload. From butler_lastknowngood_restored turning 1, or staying 1 across another failed reload.',
    labels: ['instance', 'manager'],
    cardinality: 'one per manager',
  },
  butler_reloads_total: {
    type: 'counter',
    help: 'Phase 4: reload attempts seen, by result: success, failure, timeout (tolerated by manager-timeout-ok: Butler deleted its reload series) or unknown (several attempts between two scrapes; only the last one\'s result is known).',
    labels: ['instance', 'manager', 'result'],
    cardinality: '4 per manager',
  },
});
