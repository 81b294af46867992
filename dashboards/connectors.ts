/**
 * fleetwatch / Connectors: per connector and per instance, is it alive, is it
 * ready, is there redundancy left, are heartbeats and Control Plane pings
 * coming, and which versions run.
 */
import { CONNECTOR_RECORDED as R, CONNECTOR_THRESHOLDS as T } from '../alerts/rules/connectors.js';
import { connectorsCatalog as c } from '../exporters/connectors/catalog.js';
import type { LifecycleState } from '../exporters/connectors/lifecycle.js';
import { fleetDashboard, labelVariable, regexVariable, type Panel } from './lib/dashboard.js';
import { goodAbove, goodBelow, NEUTRAL, stat, stateTimeline, table, timeseries, UP_DOWN, type Step } from './lib/panels.js';
import { DASHBOARD_UIDS } from './uids.js';

/** Per-connector families and recording rules: their `instance` is the exporter's, so filter by connector only. */
const conn = `connector=~"$connector"`;
/** Per-instance families. */
const inst = `connector=~"$connector",instance=~"$instance"`;

/** Each lifecycle state as a number, worst highest, so a timeline can colour it and topk can pick the worst. */
const LIFECYCLE: Array<[LifecycleState, number, string]> = [
  ['ready', 1, 'green'],
  ['starting', 2, 'blue'],
  ['draining', 3, 'yellow'],
  ['down', 4, 'red'],
];

/** Fine at 0, worth a look from 1 on (normal during deploys, bad when it lasts). */
const WATCH: Step[] = [{ value: null, color: 'green' }, { value: 1, color: 'orange' }];

// ---- queries shared by the overview (no variables: `sel` is empty) and the dashboard ----

const withSel = (sel: string) => (sel ? `{${sel}}` : '');

function connectorsWithNoReadyInstance(sel: string): string {
  return `count(${R.probedInstances}${withSel(sel)} > 0 and on (job, connector) ${R.readyInstances}${withSel(sel)} == 0) or vector(0)`;
}

function connectorsDownToOne(sel: string): string {
  return `count(${R.probedInstances}${withSel(sel)} >= 2 and on (job, connector) ${R.readyInstances}${withSel(sel)} == 1) or vector(0)`;
}

function instancesIn(state: string, sel: string): string {
  return `count(${c.connector_lifecycle_state}{${sel ? `${sel},` : ''}state=~"${state}"} == 1) or vector(0)`;
}

/** As ConnectorHeartbeatMissing counts them: silent past the threshold, and not down (by probes) for a while. */
function heartbeatsMissing(sel: string): string {
  const downAWhile = `((time() - ${c.connector_lifecycle_state_since_timestamp_seconds}${withSel(sel)} > ${T.silentWhileDownSeconds}) and on (job, connector, instance) (${c.connector_lifecycle_state}{${sel ? `${sel},` : ''}state="down"} == 1))`;
  return `count((time() - ${c.connector_last_heartbeat_timestamp_seconds}${withSel(sel)} > ${T.heartbeatSilenceSeconds}) unless on (job, connector, instance) ${downAWhile}) or vector(0)`;
}

const noReadyDescription = `Connectors none of whose probed instances is ready (lifecycle state ready). This pages (ConnectorNoReadyInstance, after 3 minutes). Connectors known only from OTLP have no lifecycle and are not counted.`;
const downToOneDescription = `Connectors deployed with two or more instances that have exactly one ready: one more failure takes them down (ConnectorRedundancyLost).`;
const heartbeatsDescription = `Instances whose last heartbeat is over ${T.heartbeatSilenceSeconds} s old and that probes have not shown down for over ${T.silentWhileDownSeconds} s. The heartbeat is the OTLP formal.connector.instance.heartbeat (every 30 s) once an instance has sent one, else each successful /health probe (every 10 s).`;

export function connectorsOverview(): Panel[] {
  const glance = { span: 6, height: 4 };
  return [
    stat({ ...glance, title: 'Connectors with no ready instance', description: noReadyDescription, unit: 'none', thresholds: goodBelow(1), queries: [{ expr: connectorsWithNoReadyInstance('') }] }),
    stat({ ...glance, title: 'Connectors down to one ready instance', description: downToOneDescription, unit: 'none', thresholds: WATCH, queries: [{ expr: connectorsDownToOne('') }] }),
    stat({ ...glance, title: 'Connector instances down', description: 'Probed instances whose last /health probe got no 2xx answer.', unit: 'none', thresholds: goodBelow(1), queries: [{ expr: instancesIn('down', '') }] }),
    stat({ ...glance, title: 'Connector heartbeats missing', description: heartbeatsDescription, unit: 'none', thresholds: goodBelow(1), queries: [{ expr: heartbeatsMissing('') }] }),
  ];
}

const lifecycleCode = `max by (connector, instance) (${LIFECYCLE.map(([state, code]) => `(${c.connector_lifecycle_state}{${inst},state="${state}"} == 1) * ${code}`).join(' or ')})`;

function nowSection(): Panel[] {
  const small = { span: 4, height: 4 };
  return [
    stat({
      title: 'Ready instances, per connector',
      description: 'Instances in lifecycle state ready (alive, /ready 2xx), per connector: the redundancy left. Red at 0 (pages), orange at 1. A connector deployed with a single instance is orange by design.',
      unit: 'none',
      thresholds: goodAbove(2, 1),
      span: 12,
      height: 4,
      queries: [{ expr: `${R.readyInstances}{${conn}}`, legend: '{{connector}}' }],
    }),
    stat({ title: 'No ready instance', description: noReadyDescription, unit: 'none', thresholds: goodBelow(1), span: 6, height: 4, queries: [{ expr: connectorsWithNoReadyInstance(conn) }] }),
    stat({ title: 'Down to one ready', description: downToOneDescription, unit: 'none', thresholds: WATCH, span: 6, height: 4, queries: [{ expr: connectorsDownToOne(conn) }] }),
    stat({ ...small, title: 'Instances down', description: 'Probed instances whose last /health probe got no 2xx answer (no answer, refused, timeout, error status).', unit: 'none', thresholds: goodBelow(1), queries: [{ expr: instancesIn('down', inst) }] }),
    stat({
      ...small,
      title: 'Starting or draining',
      description: 'Instances alive but not ready: starting (not ready yet) or draining (was ready, /ready now 503: the first step of a graceful shutdown). Normal during deploys; ConnectorInstanceNotReady fires after 10 minutes.',
      unit: 'none',
      thresholds: WATCH,
      queries: [{ expr: instancesIn('starting|draining', inst) }],
    }),
    stat({ ...small, title: 'Heartbeats missing', description: heartbeatsDescription, unit: 'none', thresholds: goodBelow(1), queries: [{ expr: heartbeatsMissing(inst) }] }),
    stat({
      ...small,
      title: 'Control Plane silent',
      description: `Instances still sending heartbeats that have received no Control Plane ping for over ${T.pingSilenceSeconds / 60} minutes (formal.control_plane.pings_received stopped increasing).`,
      unit: 'none',
      thresholds: goodBelow(1),
      queries: [
        {
          expr: `count(((time() - ${c.connector_control_plane_last_ping_timestamp_seconds}{${inst}}) > ${T.pingSilenceSeconds}) and on (job, connector, instance) ((time() - ${c.connector_last_heartbeat_timestamp_seconds}{${inst}}) < ${T.heartbeatSilenceSeconds})) or vector(0)`,
        },
      ],
    }),
    stat({
      ...small,
      title: 'Unexpected stops (1h)',
      description: 'Instances that went down without draining first, in the last hour: crashes, kills, and also single failed /health probes (one failed probe is "down"). ConnectorUnexpectedStops fires at 3 for one connector.',
      unit: 'none',
      thresholds: WATCH,
      queries: [{ expr: `sum(increase(${c.connector_stops_total}{${conn},kind="unexpected"}[1h])) or vector(0)` }],
    }),
    stat({
      ...small,
      title: 'Connectors with version skew',
      description: 'Connectors whose live instances report more than one service.version. Normal during a rolling upgrade; ConnectorVersionSkew fires after an hour.',
      unit: 'none',
      thresholds: WATCH,
      queries: [{ expr: `count(${R.versions}{${conn}} > 1) or vector(0)` }],
    }),
  ];
}

function lifecycleSection(): Panel[] {
  return [
    timeseries({
      title: 'Ready instances per connector',
      description: 'The redundancy left over time. A dip to 0 is an outage of that connector.',
      unit: 'none',
      thresholds: goodAbove(2, 1),
      min: 0,
      span: 12,
      height: 8,
      queries: [{ expr: `${R.readyInstances}{${conn}}`, legend: '{{connector}}' }],
    }),
    timeseries({
      title: 'Instances by lifecycle state',
      description: 'starting: alive, not ready yet. ready: alive and ready. draining: alive, not ready after being ready (graceful shutdown). down: /health got no 2xx.',
      unit: 'none',
      thresholds: NEUTRAL,
      stacked: true,
      span: 12,
      height: 8,
      queries: [{ expr: `sum by (state) (${c.connector_lifecycle_state}{${inst}})`, legend: '{{state}}' }],
    }),
    stateTimeline({
      title: 'Lifecycle timeline',
      description: 'One row per probed instance, coloured by lifecycle state; the 50 in the worst states when there are more. Narrow with the connector and instance filters. A one-probe red blip is a failed /health probe (10 s resolution).',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 24,
      height: 10,
      mappings: Object.fromEntries(LIFECYCLE.map(([state, code, color]) => [String(code), { text: state, color }])),
      queries: [{ expr: `topk(50, ${lifecycleCode})`, legend: '{{connector}} {{instance}}' }],
    }),
    timeseries({
      title: 'Stops: graceful vs unexpected',
      description: 'Instances seen going down. graceful: drained first (ready, then /ready 503 while alive). unexpected: down straight from ready or starting — a crash, a kill, or a drain shorter than the 10 s probe interval.',
      unit: 'none',
      thresholds: NEUTRAL,
      bars: true,
      span: 8,
      height: 8,
      queries: [{ expr: `sum by (connector, kind) (increase(${c.connector_stops_total}{${conn}}[$__rate_interval])) > 0`, legend: '{{connector}} {{kind}}' }],
    }),
    timeseries({
      title: 'Restarts',
      description: 'Instances seen alive again after being down, per interval.',
      unit: 'none',
      thresholds: NEUTRAL,
      bars: true,
      span: 8,
      height: 8,
      queries: [{ expr: `sum by (connector, instance) (increase(${c.connector_restarts_total}{${inst}}[$__rate_interval])) > 0`, legend: '{{connector}} {{instance}}' }],
    }),
    timeseries({
      title: 'Time to ready (p50, p95 over 1h)',
      description: 'From the probe that first saw an instance starting to the one that saw it ready; resolution is the 10 s probe interval. Gaps: no instance started in the hour.',
      unit: 's',
      thresholds: goodBelow(120, 60),
      span: 8,
      height: 8,
      queries: [0.5, 0.95].map((q) => ({
        expr: `histogram_quantile(${q}, sum by (connector, le) (rate(${c.connector_time_to_ready_seconds}_bucket{${conn}}[1h])))`,
        legend: `{{connector}} p${q * 100}`,
      })),
    }),
  ];
}

function heartbeatSection(): Panel[] {
  return [
    timeseries({
      title: 'Heartbeat age',
      description: `Seconds since each instance's last heartbeat (the 20 oldest). OTLP heartbeats come every 30 s, probe heartbeats every 10 s; the exporter counts one missed at 1.5 intervals, the alert fires past ${T.heartbeatSilenceSeconds} s.`,
      unit: 's',
      thresholds: goodBelow(T.heartbeatSilenceSeconds, 45),
      min: 0,
      span: 8,
      height: 8,
      queries: [{ expr: `topk(20, time() - ${c.connector_last_heartbeat_timestamp_seconds}{${inst}})`, legend: '{{connector}} {{instance}}' }],
    }),
    timeseries({
      title: 'Heartbeat gaps (p50, p99)',
      description: 'Time between consecutive heartbeats of a connector\'s instances. p99 near 30 s (OTLP) or 10 s (probes) is healthy; long tails mean late or batched telemetry.',
      unit: 's',
      thresholds: goodBelow(T.heartbeatSilenceSeconds, 45),
      span: 8,
      height: 8,
      queries: [0.5, 0.99].map((q) => ({
        expr: `histogram_quantile(${q}, sum by (connector, le) (rate(${c.connector_heartbeat_gap_seconds}_bucket{${conn}}[$__rate_interval])))`,
        legend: `{{connector}} p${q * 100}`,
      })),
    }),
    timeseries({
      title: 'Missed heartbeats',
      description: 'Heartbeats that did not come, per interval: one when the silence passes 1.5 intervals, one more for each further interval.',
      unit: 'none',
      thresholds: goodBelow(1),
      bars: true,
      span: 8,
      height: 8,
      queries: [{ expr: `sum by (connector, instance) (increase(${c.connector_heartbeats_missed_total}{${inst}}[$__rate_interval])) > 0`, legend: '{{connector}} {{instance}}' }],
    }),
    timeseries({
      title: 'Control Plane pings',
      description: 'Pings per second each instance received from the Control Plane (formal.control_plane.pings_received, over OTLP). Zero means the Control Plane is not reaching it.',
      unit: 'cps',
      thresholds: NEUTRAL,
      min: 0,
      span: 12,
      height: 8,
      queries: [{ expr: `rate(${c.connector_control_plane_pings_total}{${inst}}[$__rate_interval])`, legend: '{{connector}} {{instance}}' }],
    }),
    timeseries({
      title: 'Since last Control Plane ping',
      description: `Seconds since each instance's ping count last increased (the 20 longest). Resolution is the instance's OTLP export interval; the alert fires past ${T.pingSilenceSeconds / 60} minutes while heartbeats still come.`,
      unit: 's',
      thresholds: goodBelow(T.pingSilenceSeconds, 120),
      min: 0,
      span: 12,
      height: 8,
      queries: [{ expr: `topk(20, time() - ${c.connector_control_plane_last_ping_timestamp_seconds}{${inst}})`, legend: '{{connector}} {{instance}}' }],
    }),
  ];
}

function resourcesSection(): Panel[] {
  return [
    timeseries({
      title: 'Memory',
      description: `Share of its runtime memory allotment each instance uses (formal.connector.memory.usage_percent), which can differ from host memory. An instance that stops reporting keeps its last reading. The alert fires above ${T.memoryPercent}% for 15 minutes.`,
      unit: 'percent',
      thresholds: goodBelow(T.memoryPercent, 80),
      min: 0,
      max: 100,
      span: 8,
      height: 8,
      queries: [{ expr: `${c.connector_memory_usage_percent}{${inst}}`, legend: '{{connector}} {{instance}}' }],
    }),
    timeseries({
      title: 'Active connections',
      description: 'Open client TCP connections per instance (formal.connector.active_connections).',
      unit: 'none',
      thresholds: NEUTRAL,
      min: 0,
      span: 8,
      height: 8,
      queries: [{ expr: `${c.connector_active_connections}{${inst}}`, legend: '{{connector}} {{instance}}' }],
    }),
    timeseries({
      title: 'Connections opened and closed',
      description: 'Client TCP connections accepted and closed per second, per connector. Opened persistently above closed means connections pile up; a sharp drop of both means clients stopped coming.',
      unit: 'cps',
      thresholds: NEUTRAL,
      span: 8,
      height: 8,
      queries: [
        { expr: `sum by (connector) (rate(${c.connector_connections_opened_total}{${inst}}[$__rate_interval]))`, legend: '{{connector}} opened' },
        { expr: `sum by (connector) (rate(${c.connector_connections_closed_total}{${inst}}[$__rate_interval]))`, legend: '{{connector}} closed' },
      ],
    }),
  ];
}

function versionsSection(): Panel[] {
  return [
    timeseries({
      title: 'Versions per connector',
      description: 'Distinct service.version values among each connector\'s live instances. Above 1 is version skew: a rolling upgrade in progress, or stuck.',
      unit: 'none',
      thresholds: [{ value: null, color: 'green' }, { value: 2, color: 'orange' }],
      min: 0,
      span: 10,
      height: 8,
      queries: [{ expr: `${R.versions}{${conn}}`, legend: '{{connector}}' }],
    }),
    table({
      title: 'Instances per version',
      description: 'How many instances of each connector report each version (service.version over OTLP). An empty version: the instance has sent no OTLP yet (or never does). Includes down instances.',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 14,
      height: 8,
      sortBy: 'connector',
      desc: false,
      queries: [{ expr: `count by (connector, version) (${c.connector_info}{${inst}})` }],
    }),
  ];
}

function instancesSection(): Panel[] {
  return [
    table({
      title: 'Instances not ready',
      description: 'Probed instances in starting, draining or down, longest first: how long they have been in that state.',
      unit: 's',
      thresholds: goodBelow(T.notReadySeconds, T.downSeconds),
      span: 12,
      height: 9,
      sortBy: 'Value',
      hide: ['job'],
      queries: [
        {
          expr: `topk(50, (time() - ${c.connector_lifecycle_state_since_timestamp_seconds}{${inst}}) * on (job, connector, instance) group_left (state) (${c.connector_lifecycle_state}{${inst},state!="ready"} == 1))`,
        },
      ],
    }),
    table({
      title: 'Failing probes',
      description: 'The last /health or /ready probe of an instance that did not answer 2xx. Status 0: no complete response (refused, reset, or the 2 s timeout). /ready 404: a connector older than 1.23 without /ready (set probe.ready_path: /health).',
      unit: 'none',
      thresholds: [{ value: null, color: 'red' }],
      mappings: { '0': { text: 'no response', color: 'red' } },
      span: 12,
      height: 9,
      hide: ['job'],
      queries: [{ expr: `${c.connector_probe_http_status_code}{${inst}} < 200 or ${c.connector_probe_http_status_code}{${inst}} >= 300` }],
    }),
    timeseries({
      title: 'Probe duration',
      description: 'How long the slowest of the two probes (/health, /ready) took, for the 10 slowest instances. 2 s is the timeout: a probe that reaches it failed.',
      unit: 's',
      thresholds: goodBelow(2, 1),
      min: 0,
      span: 24,
      height: 7,
      queries: [{ expr: `topk(10, max by (connector, instance) (${c.connector_probe_duration_seconds}{${inst}}))`, legend: '{{connector}} {{instance}}' }],
    }),
  ];
}

function exporterSection(): Panel[] {
  return [
    stat({
      title: 'Exporter up',
      description: 'Whether Prometheus scrapes the connectors exporter. While it is down nothing on this dashboard moves (FleetwatchExporterDown).',
      unit: 'none',
      thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
      mappings: UP_DOWN,
      span: 4,
      height: 6,
      queries: [{ expr: 'up{job="fleetwatch-connectors"}', legend: '{{instance}}' }],
    }),
    timeseries({
      title: 'Discovery targets',
      description: 'Probe targets each discovery source yields (static list, file_sd files, DNS names). A sudden drop is a file or DNS change, not instances dying.',
      unit: 'none',
      thresholds: NEUTRAL,
      min: 0,
      span: 5,
      height: 6,
      queries: [{ expr: `sum by (source) (${c.connector_discovery_targets})`, legend: '{{source}}' }],
    }),
    timeseries({
      title: 'Discovery errors',
      description: 'Invalid file_sd files and failed DNS lookups, per interval. The exporter keeps the last good targets, so new or moved instances are not probed until it recovers.',
      unit: 'none',
      thresholds: goodBelow(1),
      bars: true,
      span: 5,
      height: 6,
      queries: [{ expr: `sum by (source) (increase(${c.connector_discovery_errors_total}[$__rate_interval])) > 0`, legend: '{{source}}' }],
    }),
    timeseries({
      title: 'OTLP data points accepted',
      description: 'formal.* data points accepted at /v1/metrics per second.',
      unit: 'cps',
      thresholds: NEUTRAL,
      min: 0,
      span: 5,
      height: 6,
      queries: [{ expr: `sum(rate(${c.connector_otlp_data_points_total}[$__rate_interval]))`, legend: 'data points' }],
    }),
    timeseries({
      title: 'Rejected input',
      description: 'OTLP requests or data refused, by reason (unsupported_media_type, invalid_otlp, body_too_large, missing_instance_id, too_many_instances…), per interval. See the exporter README, "Bad input".',
      unit: 'none',
      thresholds: goodBelow(1),
      bars: true,
      span: 5,
      height: 6,
      queries: [{ expr: `sum by (reason) (increase(fleetwatch_rejected_requests_total{exporter="connectors"}[$__rate_interval])) > 0`, legend: '{{reason}}' }],
    }),
  ];
}

export function connectorsDashboard() {
  return fleetDashboard({
    uid: DASHBOARD_UIDS.connectors,
    title: 'fleetwatch / Connectors',
    description: 'Formal Connector instances: alive (/health), ready (/ready), lifecycle (starting, ready, draining, down), graceful vs unexpected stops, heartbeats (OTLP or probes), Control Plane pings, memory, connections, redundancy and version skew.',
    tags: ['connectors'],
    variables: [
      labelVariable('connector', 'Connector', `${c.connector_info}`, 'The logical connector (ConnectorName, or the discovery entry).'),
      regexVariable('instance', 'Instance (regex)', 'Filters the per-instance panels by host:port; alert links fill it in.'),
    ],
    sections: [
      { title: 'Now', panels: nowSection() },
      { title: 'Readiness and lifecycle', panels: lifecycleSection() },
      { title: 'Heartbeats and Control Plane', panels: heartbeatSection() },
      { title: 'Memory and connections', panels: resourcesSection() },
      { title: 'Versions', panels: versionsSection() },
      { title: 'Instances', panels: instancesSection() },
      { title: 'Exporter and discovery', panels: exporterSection() },
    ],
  });
}
