/**
 * Alerts on connector instances (fleetwatch connectors).
 *
 * Label facts the expressions rely on (Prometheus scrapes the exporter with
 * `honor_labels: true`):
 * - per-instance families carry `connector` and `instance` = the connector
 *   instance's host:port, plus the scrape's `job`;
 * - per-connector families (ready instances, versions, stops) carry
 *   `connector`, and `instance` = the exporter's own address, which names no
 *   connector instance: the recording rules and per-connector alerts drop it.
 */
import { DASHBOARD_UIDS } from '../../dashboards/uids.js';
import { connectorsCatalog as c } from '../../exporters/connectors/catalog.js';
import type { LifecycleState } from '../../exporters/connectors/lifecycle.js';
import { duration, seconds } from '../lib/time.js';
import type { AlertRule, RuleGroup, SeriesInput } from '../lib/types.js';

/** The numbers the alerts use; the dashboard colours its panels with the same ones. Each is defended in its runbook. */
export const CONNECTOR_THRESHOLDS = {
  /** Down this long: longer than a restart, and than the exporter's 300 s grace period, so a scale-in never fires. */
  downSeconds: 300,
  /** Alive but not ready this long (starting or draining). */
  notReadySeconds: 600,
  /** Heartbeat silence: three OTLP intervals (30 s), twice the exporter's own "missed" mark (45 s). */
  heartbeatSilenceSeconds: 90,
  /** Down this long, a silent instance is ConnectorInstanceDown's: shorter than the silence, longer than one failed probe. */
  silentWhileDownSeconds: 60,
  /** No Control Plane ping seen this long, while heartbeats still come. */
  pingSilenceSeconds: 300,
  memoryPercent: 90,
  /** Unexpected stops of one connector in an hour. */
  unexpectedStopsPerHour: 3,
} as const;

/** Recording rules, by what they hold. */
export const CONNECTOR_RECORDED = {
  /** Ready instances per connector, without the exporter's instance label. */
  readyInstances: 'job_connector:connector_ready_instances:max',
  /** Distinct versions among a connector's live instances. */
  versions: 'job_connector:connector_versions:max',
  /** Probed instances per connector (every probed instance has one lifecycle-since series; OTLP-only ones have none). */
  probedInstances: 'job_connector:connector_lifecycle_state_since_timestamp_seconds:count',
} as const;

const T = CONNECTOR_THRESHOLDS;
const R = CONNECTOR_RECORDED;
const INSTANCE_KEY = 'job, connector, instance';
const CONNECTOR_KEY = 'job, connector';

const instanceDashboard = { uid: DASHBOARD_UIDS.connectors, vars: { connector: 'connector', instance: 'instance' } };
const connectorDashboard = { uid: DASHBOARD_UIDS.connectors, vars: { connector: 'connector' } };

/** Heartbeat age per instance, in seconds. */
const heartbeatAge = `(time() - ${c.connector_last_heartbeat_timestamp_seconds})`;
/** Instances whose heartbeats still come: OTLP readings of the others (memory, pings) are stale, not news. */
const heartbeatFresh = `(${heartbeatAge} < ${seconds(T.heartbeatSilenceSeconds)})`;

/** Seconds an instance has been in one of `states`, for those in it longer than `threshold` seconds, with a `state` label. */
function inStateLongerThan(states: LifecycleState[], threshold: number): string {
  return `((time() - ${c.connector_lifecycle_state_since_timestamp_seconds}) > ${seconds(threshold)}) * on (${INSTANCE_KEY}) group_left (state) (${c.connector_lifecycle_state}{state=~"${states.join('|')}"} == 1)`;
}

// ---- test fixtures: promtool's clock starts at 0, samples every minute ----

const JOB = 'fleetwatch-connectors';
/** The exporter's own address: the `instance` of per-connector and exporter families. */
const EXPORTER = 'connectors:9811';
const CONNECTOR = 'postgres-prod';
const INSTANCE = '10.0.1.5:8080';
const SECOND_INSTANCE = '10.0.1.6:8080';
const instanceLabels = { job: JOB, connector: CONNECTOR, instance: INSTANCE };
const connectorLabels = { job: JOB, connector: CONNECTOR };

function selector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
}

const ofInstance = (instance = INSTANCE) => selector({ job: JOB, connector: CONNECTOR, instance });
const ofConnector = selector({ job: JOB, instance: EXPORTER, connector: CONNECTOR });

/** One probed instance in lifecycle `state` since `since` seconds, the one-hot as the exporter writes it. */
function instanceIn(state: LifecycleState, since: number, instance = INSTANCE): SeriesInput[] {
  return [
    ...(['starting', 'ready', 'draining', 'down'] as const).map((s) => ({ series: `${c.connector_lifecycle_state}{${ofInstance(instance)},state="${s}"}`, values: `${s === state ? 1 : 0}x90` })),
    { series: `${c.connector_lifecycle_state_since_timestamp_seconds}{${ofInstance(instance)}}`, values: `${since}x90` },
  ];
}

/** A connector with `instances` probed instances and `ready` (promtool notation) ready ones. */
function connectorWith(instances: number, ready: string): SeriesInput[] {
  return [
    ...[INSTANCE, SECOND_INSTANCE].slice(0, instances).map((i) => ({ series: `${c.connector_lifecycle_state_since_timestamp_seconds}{${ofInstance(i)}}`, values: '0x90' })),
    { series: `${c.connector_ready_instances}{${ofConnector}}`, values: ready },
  ];
}

/** Heartbeats every minute (the last one heard at each sample). */
const heartbeating: SeriesInput = { series: `${c.connector_last_heartbeat_timestamp_seconds}{${ofInstance()}}`, values: '0+60x90' };

const instanceDown: AlertRule = {
  alert: 'ConnectorInstanceDown',
  expr: inStateLongerThan(['down'], T.downSeconds),
  for: duration('1m'),
  severity: 'warning',
  summary: 'A connector instance has been down for over 5 minutes.',
  description: 'Connector instance {{ $labels.instance }} of {{ $labels.connector }} has been down for {{ $value | humanizeDuration }}: its /health probe gets no 2xx answer.',
  dashboard: instanceDashboard,
  fires: {
    series: instanceIn('down', 60),
    at: '10m',
    labels: { ...instanceLabels, state: 'down' },
    description: `Connector instance ${INSTANCE} of ${CONNECTOR} has been down for 9m 0s: its /health probe gets no 2xx answer.`,
  },
  nearMiss: { series: instanceIn('down', 330), at: '10m', why: 'down for four and a half minutes, a slow restart' },
};

const instanceNotReady: AlertRule = {
  alert: 'ConnectorInstanceNotReady',
  expr: inStateLongerThan(['starting', 'draining'], T.notReadySeconds),
  for: duration('1m'),
  severity: 'warning',
  summary: 'A connector instance has been alive but not ready for over 10 minutes.',
  description: 'Connector instance {{ $labels.instance }} of {{ $labels.connector }} has been {{ $labels.state }} (alive, /ready not 2xx) for {{ $value | humanizeDuration }}.',
  dashboard: instanceDashboard,
  fires: {
    series: instanceIn('starting', 0),
    at: '15m',
    labels: { ...instanceLabels, state: 'starting' },
    description: `Connector instance ${INSTANCE} of ${CONNECTOR} has been starting (alive, /ready not 2xx) for 15m 0s.`,
  },
  nearMiss: { series: instanceIn('starting', 120), at: '11m', why: 'starting for nine minutes, a slow start' },
};

/**
 * Probed and ready, with one failed probe at 6m (down for that sample, then ready again), and the last heartbeat
 * heard at 2m (an OTLP sender that went quiet). The blip must not restart the alert's 5 minutes.
 */
const silentSince2m: SeriesInput[] = [
  ...(['starting', 'draining'] as const).map((s) => ({ series: `${c.connector_lifecycle_state}{${ofInstance()},state="${s}"}`, values: '0x90' })),
  { series: `${c.connector_lifecycle_state}{${ofInstance()},state="ready"}`, values: '1x5 0 1x84' },
  { series: `${c.connector_lifecycle_state}{${ofInstance()},state="down"}`, values: '0x5 1 0x84' },
  { series: `${c.connector_lifecycle_state_since_timestamp_seconds}{${ofInstance()}}`, values: '0x5 360 420x84' },
  { series: `${c.connector_last_heartbeat_timestamp_seconds}{${ofInstance()}}`, values: '0 60 120x90' },
];

const heartbeatMissing: AlertRule = {
  alert: 'ConnectorHeartbeatMissing',
  // Down instances are ConnectorInstanceDown's; this one is for the silent ones probes cannot see
  // (OTLP-only instances) or that still answer /health while their telemetry has stopped. Only a
  // lasting down counts: one timed-out probe must not restart the 5 minutes.
  expr: `(${heartbeatAge} > ${seconds(T.heartbeatSilenceSeconds)}) unless on (${INSTANCE_KEY}) ${inStateLongerThan(['down'], T.silentWhileDownSeconds)}`,
  for: duration('5m'),
  severity: 'warning',
  summary: 'A connector instance has stopped sending heartbeats.',
  description: 'Connector instance {{ $labels.instance }} of {{ $labels.connector }} has sent no heartbeat for {{ $value | humanizeDuration }}.',
  dashboard: instanceDashboard,
  fires: {
    series: silentSince2m,
    at: '10m',
    labels: instanceLabels,
    description: `Connector instance ${INSTANCE} of ${CONNECTOR} has sent no heartbeat for 8m 0s.`,
  },
  nearMiss: { series: silentSince2m, at: '8m', why: 'silent for six minutes, over the threshold for only four (a Collector restart)' },
};

const unexpectedStops: AlertRule = {
  alert: 'ConnectorUnexpectedStops',
  expr: `sum by (${CONNECTOR_KEY}) (increase(${c.connector_stops_total}{kind="unexpected"}[${duration('1h')}])) >= ${T.unexpectedStopsPerHour}`,
  for: duration('0m'),
  severity: 'warning',
  summary: 'Connector instances keep going down without draining first.',
  description: 'Connector {{ $labels.connector }} had {{ $value | printf "%.0f" }} unexpected stops (down without draining first) in the last hour.',
  dashboard: connectorDashboard,
  fires: {
    series: [
      { series: `${c.connector_stops_total}{${ofConnector},kind="unexpected"}`, values: '0 0 1 1 2 2 3x10' },
      { series: `${c.connector_stops_total}{${ofConnector},kind="graceful"}`, values: '0x16' },
    ],
    at: '10m',
    labels: connectorLabels,
    description: `Connector ${CONNECTOR} had 3 unexpected stops (down without draining first) in the last hour.`,
  },
  nearMiss: {
    series: [
      { series: `${c.connector_stops_total}{${ofConnector},kind="unexpected"}`, values: '0 0 1 1 2x10' },
      { series: `${c.connector_stops_total}{${ofConnector},kind="graceful"}`, values: '0x16' },
    ],
    at: '10m',
    why: 'two unexpected stops in an hour',
  },
};

const pingsSince = (lastPing: number): SeriesInput[] => [heartbeating, { series: `${c.connector_control_plane_last_ping_timestamp_seconds}{${ofInstance()}}`, values: `${lastPing}x90` }];

const controlPlanePingsMissing: AlertRule = {
  alert: 'ConnectorControlPlanePingsMissing',
  // Only while heartbeats come: a silent instance sends no ping counts either, and ConnectorHeartbeatMissing says so.
  expr: `((time() - ${c.connector_control_plane_last_ping_timestamp_seconds}) > ${seconds(T.pingSilenceSeconds)}) and on (${INSTANCE_KEY}) ${heartbeatFresh}`,
  for: duration('5m'),
  severity: 'warning',
  summary: 'A connector instance no longer receives pings from the Control Plane.',
  description: 'Connector instance {{ $labels.instance }} of {{ $labels.connector }} has received no Control Plane ping for {{ $value | humanizeDuration }} while still sending heartbeats.',
  dashboard: instanceDashboard,
  fires: {
    series: pingsSince(60),
    at: '13m',
    labels: instanceLabels,
    description: `Connector instance ${INSTANCE} of ${CONNECTOR} has received no Control Plane ping for 12m 0s while still sending heartbeats.`,
  },
  nearMiss: { series: pingsSince(120), at: '12m', why: 'no ping for ten minutes, over the threshold for only four' },
};

const memoryAt = (values: string): SeriesInput[] => [heartbeating, { series: `${c.connector_memory_usage_percent}{${ofInstance()}}`, values }];

const memoryHigh: AlertRule = {
  alert: 'ConnectorMemoryHigh',
  // The last reading of an instance that stopped reporting stays exported; only trust it while heartbeats come.
  expr: `${c.connector_memory_usage_percent} > ${T.memoryPercent} and on (${INSTANCE_KEY}) ${heartbeatFresh}`,
  for: duration('15m'),
  severity: 'warning',
  summary: 'A connector instance has used over 90% of its memory allotment for 15 minutes.',
  description: 'Connector instance {{ $labels.instance }} of {{ $labels.connector }} uses {{ $value | printf "%.0f" }}% of its memory allotment.',
  dashboard: instanceDashboard,
  fires: {
    series: memoryAt('80 80 95x30'),
    at: '20m',
    labels: instanceLabels,
    description: `Connector instance ${INSTANCE} of ${CONNECTOR} uses 95% of its memory allotment.`,
  },
  nearMiss: { series: memoryAt('80 80 89x30'), at: '20m', why: '89% for eighteen minutes, just under the threshold' },
};

const redundancyLost: AlertRule = {
  alert: 'ConnectorRedundancyLost',
  // Only connectors deployed with two or more instances: a single-instance connector never had redundancy to lose.
  // No ready instance at all is ConnectorNoReadyInstance (it pages).
  expr: `${R.probedInstances} >= 2 and on (${CONNECTOR_KEY}) ${R.readyInstances} == 1`,
  for: duration('10m'),
  severity: 'warning',
  summary: 'A connector is down to a single ready instance.',
  description: 'Connector {{ $labels.connector }} has one ready instance out of {{ $value }}; one more failure takes it down.',
  dashboard: connectorDashboard,
  fires: {
    series: connectorWith(2, '2 2 1x30'),
    at: '14m',
    labels: connectorLabels,
    description: `Connector ${CONNECTOR} has one ready instance out of 2; one more failure takes it down.`,
  },
  nearMiss: { series: connectorWith(2, '2 2 1x30'), at: '11m', why: 'one ready out of two for nine minutes, a rolling restart' },
};

const noReadyInstance: AlertRule = {
  alert: 'ConnectorNoReadyInstance',
  // Connectors known only from OTLP have no lifecycle, so always 0 ready: the probed-instance count keeps them out.
  expr: `${R.probedInstances} > 0 and on (${CONNECTOR_KEY}) ${R.readyInstances} == 0`,
  for: duration('3m'),
  severity: 'critical',
  summary: 'A connector has no ready instance; nothing can serve its traffic.',
  description: 'Connector {{ $labels.connector }} has no ready instance: none of its {{ $value }} probed instances answers /ready.',
  dashboard: connectorDashboard,
  fires: {
    series: connectorWith(2, '2 2 0x10'),
    at: '6m',
    labels: connectorLabels,
    description: `Connector ${CONNECTOR} has no ready instance: none of its 2 probed instances answers /ready.`,
  },
  nearMiss: { series: connectorWith(1, '1 1 0x10'), at: '4m', why: 'a single-instance connector restarting, no ready instance for two minutes' },
};

const versionSkew: AlertRule = {
  alert: 'ConnectorVersionSkew',
  expr: `${R.versions} > 1`,
  for: duration('1h'),
  severity: 'warning',
  summary: 'A connector has run mixed versions for over an hour; a rolling upgrade is stuck or incomplete.',
  description: 'Connector {{ $labels.connector }} has run {{ $value }} different versions side by side for over an hour.',
  dashboard: connectorDashboard,
  fires: {
    series: [{ series: `${c.connector_versions}{${ofConnector}}`, values: '1 2x90' }],
    at: '75m',
    labels: connectorLabels,
    description: `Connector ${CONNECTOR} has run 2 different versions side by side for over an hour.`,
  },
  nearMiss: { series: [{ series: `${c.connector_versions}{${ofConnector}}`, values: '1 2x90' }], at: '50m', why: 'a fifty-minute rolling upgrade' },
};

const discoveryErrors = (values: string): SeriesInput[] => [{ series: `${c.connector_discovery_errors_total}{job="${JOB}",instance="${EXPORTER}",source="dns"}`, values }];

const discoveryFailing: AlertRule = {
  alert: 'ConnectorDiscoveryFailing',
  // The exporter's own discovery: `instance` here is the exporter, the entity is its discovery source.
  expr: `sum by (job, instance, source) (increase(${c.connector_discovery_errors_total}[${duration('10m')}])) > 0`,
  for: duration('15m'),
  severity: 'warning',
  summary: 'Connector discovery keeps failing; new or moved connector instances are not probed.',
  description: 'The {{ $labels.source }} discovery of the connectors exporter {{ $labels.instance }} failed {{ $value | printf "%.0f" }} times in the last 10 minutes; it keeps probing its last good targets.',
  dashboard: { uid: DASHBOARD_UIDS.connectors },
  fires: {
    series: discoveryErrors('0+1x40'),
    at: '30m',
    labels: { job: JOB, instance: EXPORTER, source: 'dns' },
    description: `The dns discovery of the connectors exporter ${EXPORTER} failed 10 times in the last 10 minutes; it keeps probing its last good targets.`,
  },
  nearMiss: { series: discoveryErrors('0+1x12 12x20'), at: '14m', why: 'a twelve-minute DNS outage' },
};

export const connectorRules: RuleGroup = {
  name: 'fleetwatch-connectors',
  domain: 'connectors',
  recording: [
    // max, not sum: two exporters watching the same fleet see the same instances.
    { record: R.readyInstances, expr: `max by (${CONNECTOR_KEY}) (${c.connector_ready_instances})` },
    { record: R.versions, expr: `max by (${CONNECTOR_KEY}) (${c.connector_versions})` },
    { record: R.probedInstances, expr: `count by (${CONNECTOR_KEY}) (${c.connector_lifecycle_state_since_timestamp_seconds})` },
  ],
  alerts: [
    noReadyInstance,
    redundancyLost,
    instanceDown,
    instanceNotReady,
    heartbeatMissing,
    unexpectedStops,
    controlPlanePingsMissing,
    memoryHigh,
    versionSkew,
    discoveryFailing,
  ],
};
