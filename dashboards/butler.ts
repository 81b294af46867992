/**
 * fleetwatch / Butler: each Butler's config phases, left to right — remote
 * (1) → mustache (2a) → render (2b) → write (3) → reload (4) → last known
 * good (5) — now, over time, and per file and manager.
 *
 * Butler's metrics do not say which manager a file belongs to, so phases 1–3
 * are shown per file and phases 4–5 per manager. Only phase 1 runs every
 * scheduler interval: the ages of the later phases are shown for context and
 * coloured neutral, never as a problem.
 */
import { ThresholdsMode, type DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { REMOTE_AGE_INTERVALS, REMOTE_AGE_SECONDS, remoteStale, STALE_AFTER_INTERVALS } from '../alerts/rules/butler.js';
import { butlerCatalog as c } from '../exporters/butler/catalog.js';
import { fleetDashboard, labelVariable, regexVariable, type Panel } from './lib/dashboard.js';
import { goodBelow, NEUTRAL, stat, stateTimeline, table, timeseries, UP_DOWN, valueMappings, type Step } from './lib/panels.js';
import { DASHBOARD_UIDS } from './uids.js';

const targets = `instance=~"$instance"`;
const files = `instance=~"$instance",file=~"$file"`;
const managers = `instance=~"$instance",manager=~"$manager"`;

/** Return codes (remote and reload): 200 is the only success; 0 and -1 are the exporter's conventions. */
const CODE_STEPS: Step[] = [{ value: null, color: 'red' }, { value: 200, color: 'green' }, { value: 201, color: 'red' }];
const CODE_NAMES = { '200': { text: '200 OK', color: 'green' }, '0': { text: '0 no response', color: 'red' }, '-1': { text: '-1 failed, code unknown', color: 'red' } };
/** The 1/0 phases (mustache, render, write). */
const PASS_STEPS: Step[] = [{ value: null, color: 'red' }, { value: 1, color: 'green' }];
const PASS_NAMES = { '1': { text: 'ok', color: 'green' }, '0': { text: 'failed', color: 'red' } };

// The same conditions as the alerts, without their `for`: what is failing right now (remoteStale is the alert's own).
const remoteFailing = (sel: string) => `${c.butler_remote_status}{${sel}} != 200`;
const renderFailing = (sel: string) => `${c.butler_cfg_render}{${sel}} == 0 unless on (job, instance, file) ${c.butler_cfg_mustache} == 0`;
const countOrZero = (expr: string) => `count(${expr}) or vector(0)`;

/** As lib/panels.ts maps a panel's values, for a column override (the lib does not export its own). */
interface Column {
  /** Column title, replacing Grafana's `Value #<refId>`. */
  name: string;
  expr: string;
  unit?: string;
  steps?: Step[];
  names?: Record<string, { text: string; color: string }>;
  /** Colour the cell by its thresholds (for status columns). */
  coloured?: boolean;
}

/**
 * A table joining several instant queries on their labels (Grafana's merge
 * transformation), one value column per query, in the given order. The
 * framework's table() takes one unit and one set of thresholds; per-column
 * units, thresholds and names are field overrides added here.
 */
function joinedTable(spec: { title: string; description: string; span: number; height: number; columns: Column[]; sortBy: string; desc: boolean }): Panel {
  // Grafana names the value column `Value` for a single query, `Value #<refId>` for several.
  const valueOf = (i: number) => (spec.columns.length === 1 ? 'Value' : `Value #${String.fromCharCode(65 + i)}`);
  const b = table({
    title: spec.title,
    description: spec.description,
    unit: 'none',
    thresholds: NEUTRAL,
    span: spec.span,
    height: spec.height,
    hide: ['job'],
    sortBy: spec.sortBy,
    desc: spec.desc,
    queries: spec.columns.map((col) => ({ expr: col.expr })),
  })
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'organize', options: { renameByName: Object.fromEntries(spec.columns.map((col, i) => [valueOf(i), col.name])) } });
  for (const col of spec.columns) {
    const properties: DynamicConfigValue[] = [];
    if (col.unit) properties.push({ id: 'unit', value: col.unit });
    if (col.steps) properties.push({ id: 'thresholds', value: { mode: ThresholdsMode.Absolute, steps: col.steps } });
    if (col.names) properties.push({ id: 'mappings', value: valueMappings(col.names) });
    if (col.coloured) properties.push({ id: 'custom.cellOptions', value: { type: 'color-background' } });
    if (properties.length > 0) b.overrideByName(col.name, properties);
  }
  return b;
}

export function butlerOverview(): Panel[] {
  return [
    stat({
      title: 'Butlers down',
      description: 'Butlers fleetwatch cannot scrape; their phases are frozen as of the last good scrape (ButlerTargetDown).',
      unit: 'none',
      thresholds: goodBelow(1),
      span: 6,
      height: 4,
      queries: [{ expr: countOrZero(`${c.butler_target_up} == 0`) }],
    }),
    stat({
      title: 'Remote files failing or stale',
      description: `Files whose last fetch did not return 200 (ButlerRemoteFetchFailing), or, on a Butler that answers, whose last successful fetch is over ${STALE_AFTER_INTERVALS} of its fetch intervals old (ButlerRemoteStale: the scheduler interval, for butler.toml the retrieve interval).`,
      unit: 'none',
      thresholds: goodBelow(1),
      span: 6,
      height: 4,
      queries: [{ expr: countOrZero(`(${c.butler_remote_status} != 200) or on (job, instance, file) (${remoteStale()})`) }],
    }),
    stat({
      title: 'Files rejected or not written',
      description: 'Files failing mustache (2a), parsing and validation (2b) or the write to disk (3): their manager gets no new config.',
      unit: 'none',
      thresholds: goodBelow(1),
      span: 6,
      height: 4,
      queries: [
        {
          expr: countOrZero(`(${c.butler_cfg_mustache} == 0) or on (job, instance, file) (${c.butler_cfg_render} == 0) or on (job, instance, file) (${c.butler_write} == 0)`),
        },
      ],
    }),
    stat({
      title: 'Managers failing to reload',
      description: "Managers whose last reload did not return 200 (a timeout counts only when manager-timeout-ok is false). The manager keeps running its previous config.",
      unit: 'none',
      thresholds: goodBelow(1),
      span: 6,
      height: 4,
      queries: [{ expr: countOrZero(`${c.butler_reload_status} != 200`) }],
    }),
  ];
}

/** One stat per phase, in phase order: how many files or managers fail it now. */
function phaseStrip(): Panel[] {
  const phase = (title: string, description: string, expr: string, thresholds: Step[] = goodBelow(1)) =>
    stat({ title, description, unit: 'none', thresholds, span: 3, height: 4, queries: [{ expr }] });
  return [
    phase('Butlers down', 'Butler targets fleetwatch cannot scrape (unreachable, timed out, non-200, not an exposition). Their phases below are frozen.', countOrZero(`${c.butler_target_up}{${targets}} == 0`)),
    phase('1 · Remote failing', "Remote files whose last fetch did not return 200: an HTTP code, 0 (no response) or -1 (failed, code unknown).", countOrZero(remoteFailing(files))),
    phase(
      '1 · Remote stale',
      `Remote files last fetched successfully over ${STALE_AFTER_INTERVALS} of their fetch intervals ago (the scheduler interval; for butler.toml the retrieve interval) although the last fetch did not fail, on Butlers that answer: Butler is not fetching them on schedule.`,
      countOrZero(remoteStale(files)),
    ),
    phase('2a · Mustache failing', "Remote files whose mustache templates do not render with the manager's mustache-subs.", countOrZero(`${c.butler_cfg_mustache}{${files}} == 0`)),
    phase('2b · Render failing', 'Remote files that do not parse or validate as yml, json or text (not counting those whose mustache failed).', countOrZero(renderFailing(files))),
    phase('3 · Write failing', 'Local files Butler failed to write (only changed files are written, so this can be old).', countOrZero(`${c.butler_write}{${files}} == 0`)),
    phase('4 · Reload failing', 'Managers whose last reload attempt did not return 200.', countOrZero(`${c.butler_reload_status}{${managers}} != 200`)),
    phase(
      '5 · LKG restores (1h)',
      'Times Butler put back the last known good config after a failed reload, in the last hour. Butler then does not reload: the manager keeps running the old config.',
      `round(sum(increase(${c.butler_lkg_restores_total}{${managers}}[1h]))) or vector(0)`,
      [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
    ),
  ];
}

export function butlerDashboard() {
  return fleetDashboard({
    uid: DASHBOARD_UIDS.butler,
    title: 'fleetwatch / Butler',
    description:
      "Adobe Butler config reloaders, phase by phase: remote (1) → mustache (2a) → render (2b) → write (3) → reload (4) → last known good (5). Only phase 1 runs every scheduler interval; the later phases run when a file changed, so their ages are not a health signal. Butler's metrics do not tie files to managers: phases 1–3 are per file, 4–5 per manager.",
    tags: ['butler'],
    variables: [
      labelVariable('instance', 'Butler', `${c.butler_target_up}`, 'The Butler target (host:port) fleetwatch scrapes; alert links fill it in.'),
      labelVariable('manager', 'Manager', `${c.butler_lkg_restores_total}`, "Butler's config-managers (prometheus, alertmanager…): filters the reload and LKG panels."),
      regexVariable('file', 'File (regex)', 'Filters the file panels. Remote files are repo/config_file (cfg.example.com/rules/alerts.yml); written files are the destination basename (alerts.yml).'),
    ],
    sections: [
      { title: 'Now: phases left to right', panels: phaseStrip() },
      {
        title: 'Over time',
        panels: [
          stateTimeline({
            title: '4 · Reload status by manager',
            description: 'The return code of each manager\'s last reload attempt: 200 OK, 0 no response or timeout (with manager-timeout-ok false), -1 failed without a logged code, else the HTTP code. Tolerated timeouts leave it unchanged.',
            unit: 'none',
            thresholds: CODE_STEPS,
            mappings: CODE_NAMES,
            span: 12,
            height: 8,
            queries: [{ expr: `${c.butler_reload_status}{${managers}}`, legend: '{{instance}} {{manager}}' }],
          }),
          stateTimeline({
            title: '1 · Remote status: files with trouble',
            description: "The remote's answer to each fetch, for the files whose status changed in the time range or is failing now (all files would be too many rows).",
            unit: 'none',
            thresholds: CODE_STEPS,
            mappings: CODE_NAMES,
            span: 12,
            height: 8,
            queries: [
              {
                expr: `${c.butler_remote_status}{${files}} and on (job, instance, file) (changes(${c.butler_remote_status}{${files}}[$__range]) > 0 or ${c.butler_remote_status}{${files}} != 200)`,
                legend: '{{instance}} {{file}}',
              },
            ],
          }),
          timeseries({
            title: '1 · Oldest fetches, in fetch intervals',
            description: `Time since each file was last fetched successfully, divided by how often it is fetched (the scheduler interval; for butler.toml the retrieve interval): the ten oldest. Phase 1 runs every interval, so this stays under 1–2; over ${STALE_AFTER_INTERVALS} is stale (ButlerRemoteStale, unless the fetch fails or the Butler is down).`,
            unit: 'none',
            thresholds: goodBelow(STALE_AFTER_INTERVALS, 2),
            decimals: 1,
            span: 8,
            height: 8,
            queries: [{ expr: `topk(10, ${REMOTE_AGE_INTERVALS}{${files}})`, legend: '{{instance}} {{file}}' }],
          }),
          timeseries({
            title: '4 · Reload attempts by result',
            description: 'success; failure (a non-200 code, or a timeout with manager-timeout-ok false); timeout (tolerated by manager-timeout-ok: only the first of a run is visible); unknown (several attempts between two scrapes).',
            unit: 'none',
            thresholds: NEUTRAL,
            bars: true,
            stacked: true,
            span: 8,
            height: 8,
            queries: [{ expr: `sum by (result) (increase(${c.butler_reloads_total}{${managers}}[$__rate_interval]))`, legend: '{{result}}' }],
          }),
          timeseries({
            title: '5 · LKG restores',
            description: 'Butler put back the last known good files after a failed reload. While the remote stays bad this repeats every cycle: write, reload fails, restore.',
            unit: 'none',
            thresholds: NEUTRAL,
            bars: true,
            span: 8,
            height: 8,
            queries: [{ expr: `sum by (instance, manager) (increase(${c.butler_lkg_restores_total}{${managers}}[$__rate_interval])) > 0`, legend: '{{instance}} {{manager}}' }],
          }),
        ],
      },
      {
        title: 'Details',
        panels: [
          joinedTable({
            title: 'Managers: 4 · reload → 5 · last known good',
            description:
              'Per manager: the last reload code, when a reload was last attempted and the LKG last stored (both only follow a changed file, so old is normal), and restores and failed reloads in the time range. No LKG time: enable-cache is off, or no reload has succeeded since Butler started.',
            span: 24,
            height: 9,
            sortBy: 'Restores',
            desc: true,
            columns: [
              { name: '4 · Reload', expr: `${c.butler_reload_status}{${managers}}`, steps: CODE_STEPS, names: CODE_NAMES, coloured: true },
              { name: 'Since reload attempt', expr: `time() - ${c.butler_reload_time}{${managers}}`, unit: 's' },
              { name: '5 · Since LKG stored', expr: `time() - ${c.butler_lkg}{${managers}}`, unit: 's' },
              { name: 'Restores', expr: `round(increase(${c.butler_lkg_restores_total}{${managers}}[$__range]))`, steps: [{ value: null, color: 'transparent' }, { value: 1, color: 'orange' }], coloured: true },
              { name: 'Failed reloads', expr: `round(sum without (result) (increase(${c.butler_reloads_total}{${managers},result="failure"}[$__range])))`, steps: [{ value: null, color: 'transparent' }, { value: 1, color: 'orange' }], coloured: true },
            ],
          }),
          joinedTable({
            title: 'Remote files: 1 · remote → 2a · mustache → 2b · render',
            description: `Per remote file (repo/config_file): the last fetch's code, how long since the last successful fetch (and in its fetch intervals, the scheduler interval or for butler.toml the retrieve interval: over ${STALE_AFTER_INTERVALS} is stale), and whether its mustache render and validation passed. Stalest first.`,
            span: 16,
            height: 10,
            sortBy: 'Intervals',
            desc: true,
            columns: [
              { name: '1 · Remote', expr: `${c.butler_remote_status}{${files}}`, steps: CODE_STEPS, names: CODE_NAMES, coloured: true },
              { name: 'Since fetch', expr: `${REMOTE_AGE_SECONDS}{${files}}`, unit: 's' },
              { name: 'Intervals', expr: `${REMOTE_AGE_INTERVALS}{${files}}`, steps: goodBelow(STALE_AFTER_INTERVALS, 2), coloured: true },
              { name: '2a · Mustache', expr: `${c.butler_cfg_mustache}{${files}}`, steps: PASS_STEPS, names: PASS_NAMES, coloured: true },
              { name: '2b · Render', expr: `${c.butler_cfg_render}{${files}}`, steps: PASS_STEPS, names: PASS_NAMES, coloured: true },
            ],
          }),
          joinedTable({
            title: 'Written files: 3 · write',
            description: 'Per local file (destination basename): whether its last write succeeded. Butler writes a file only when it changed, in place (not atomically): a failed write may leave it partial.',
            span: 8,
            height: 10,
            sortBy: '3 · Write',
            desc: false,
            columns: [{ name: '3 · Write', expr: `${c.butler_write}{${files}}`, steps: PASS_STEPS, names: PASS_NAMES, coloured: true }],
          }),
        ],
      },
      {
        title: 'Targets',
        panels: [
          stat({
            title: 'Butler targets',
            description: 'Whether the last scrape of each Butler /metrics gave a well-formed exposition.',
            unit: 'none',
            thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
            mappings: UP_DOWN,
            span: 8,
            height: 5,
            queries: [{ expr: `${c.butler_target_up}{${targets}}`, legend: '{{instance}}' }],
          }),
          stat({
            title: 'Since last good scrape',
            description: 'The phase values are as of this scrape. fleetwatch scrapes every 15 s by default.',
            unit: 's',
            thresholds: goodBelow(300, 60),
            span: 8,
            height: 5,
            queries: [{ expr: `time() - ${c.butler_target_last_scrape_timestamp_seconds}{${targets}}`, legend: '{{instance}}' }],
          }),
          stat({
            title: 'Fetch intervals',
            description: "fleetwatch's scheduler_interval_seconds and retrieve_interval_seconds, the staleness units for phase 1: they must match Butler's [globals] scheduler-interval (managed files) and -config.retrieve-interval (butler.toml).",
            unit: 's',
            thresholds: NEUTRAL,
            span: 4,
            height: 5,
            queries: [
              { expr: `${c.butler_scheduler_interval_seconds}{${targets}}`, legend: '{{instance}} scheduler' },
              { expr: `${c.butler_retrieve_interval_seconds}{${targets}}`, legend: '{{instance}} butler.toml' },
            ],
          }),
          stat({
            title: 'Exporter up',
            description: 'Whether Prometheus scrapes the butler exporter (FleetwatchExporterDown).',
            unit: 'none',
            thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
            mappings: UP_DOWN,
            span: 4,
            height: 5,
            queries: [{ expr: 'up{job="fleetwatch-butler"}', legend: '{{instance}}' }],
          }),
        ],
      },
    ],
  });
}
