/** Alerts on collector connection states (fleetwatch collectors). */
import { collectorsCatalog as c } from '../../exporters/collectors/catalog.js';
import type { CollectorState } from '../../exporters/collectors/states.js';
import { DASHBOARD_UIDS } from '../../dashboards/uids.js';
import { duration, seconds } from '../lib/time.js';
import type { AlertRule, RuleGroup, SeriesInput } from '../lib/types.js';

const dashboard = { uid: DASHBOARD_UIDS.collectors, vars: { collector_id: 'collector_id' } };

/** Minutes in a state before it is "stuck"; the dashboard counts stuck collectors with the same numbers. */
export const STUCK_MINUTES = { Disconnected: 10, Error: 10, Configuring: 15, Pending: 30, Incompatible: 5, Upgrading: 30 } as const satisfies Partial<Record<CollectorState, number>>;

/** A collector is one per exporter (job, instance): two exporters may watch the same one. */
const COLLECTOR = 'job, instance, collector_id';

/** Seconds a collector has been in `state`, for those in it longer than `threshold` seconds, with its name and host. */
function inStateLongerThan(state: CollectorState, threshold: number): string {
  return `((time() - ${c.collector_state_since_timestamp_seconds}) > ${seconds(threshold)} and on (${COLLECTOR}) ${c.collector_state}{state="${state}"} == 1) * on (${COLLECTOR}) group_left (name, host) ${c.collector_info}`;
}

/** The labels Prometheus adds to the collectors exporter's series in these cases. */
const SCRAPE = { job: 'fleetwatch-collectors', instance: 'fleetwatch:9810' };
const scraped = `job="${SCRAPE.job}",instance="${SCRAPE.instance}"`;

/** One collector in `state` since `since` seconds after the epoch (promtool's clock starts at 0). */
function collectorIn(state: CollectorState, since: number): SeriesInput[] {
  return [
    { series: `${c.collector_state}{${scraped},collector_id="c-1",state="${state}"}`, values: '1x40' },
    { series: `${c.collector_state_since_timestamp_seconds}{${scraped},collector_id="c-1"}`, values: `${since}x40` },
    { series: `${c.collector_info}{${scraped},collector_id="c-1",name="otelcol-contrib",version="0.120.0",host="web-1",source="opamp"}`, values: '1x40' },
  ];
}

interface StuckAlert {
  alert: string;
  state: keyof typeof STUCK_MINUTES;
  summary: string;
  /** "is …" phrase for the description. */
  doing: string;
}

function stuck(a: StuckAlert): AlertRule {
  const minutes = STUCK_MINUTES[a.state];
  const at = minutes + 5;
  return {
    alert: a.alert,
    expr: inStateLongerThan(a.state, minutes * 60),
    for: duration('1m'),
    severity: 'warning',
    summary: a.summary,
    description: `Collector {{ $labels.collector_id }} ({{ $labels.name }} on {{ $labels.host }}) ${a.doing} for {{ $value | humanizeDuration }}.`,
    dashboard,
    fires: {
      series: collectorIn(a.state, 0),
      at: `${at}m`,
      labels: { ...SCRAPE, collector_id: 'c-1', name: 'otelcol-contrib', host: 'web-1' },
      description: `Collector c-1 (otelcol-contrib on web-1) ${a.doing} for ${at}m 0s.`,
    },
    nearMiss: { series: collectorIn(a.state, 6 * 60), at: `${at}m`, why: `in ${a.state} for less than ${minutes}m` },
  };
}

export const collectorRules: RuleGroup = {
  name: 'fleetwatch-collectors',
  domain: 'collectors',
  recording: [
    // Per job: each collectors exporter (job) watches one fleet.
    { record: 'job:collectors:count', expr: `sum by (job) (${c.collector_fleet_state})` },
    { record: 'job:collectors_disconnected:ratio', expr: `sum by (job) (${c.collector_fleet_state}{state="Disconnected"}) / clamp_min(sum by (job) (${c.collector_fleet_state}), 1)` },
  ],
  alerts: [
    stuck({ alert: 'CollectorDisconnected', state: 'Disconnected', summary: 'A collector has been disconnected for over 10 minutes.', doing: 'has been disconnected' }),
    stuck({ alert: 'CollectorInError', state: 'Error', summary: 'A collector has been in Error for over 10 minutes.', doing: 'has been in Error' }),
    stuck({ alert: 'CollectorStuckConfiguring', state: 'Configuring', summary: 'A collector has been applying a config for over 15 minutes.', doing: 'has been Configuring' }),
    stuck({ alert: 'CollectorRolloutStuckPending', state: 'Pending', summary: 'A collector has waited in a rollout for over 30 minutes.', doing: 'has been Pending' }),
    stuck({ alert: 'CollectorIncompatibleConfig', state: 'Incompatible', summary: 'A collector was assigned a config it cannot run.', doing: 'has been Incompatible' }),
    stuck({ alert: 'CollectorUpgradeStuck', state: 'Upgrading', summary: 'A collector upgrade has not finished in 30 minutes.', doing: 'has been Upgrading' }),
    {
      alert: 'CollectorFlapping',
      expr: `changes(${c.collector_state_since_timestamp_seconds}[${duration('1h')}]) >= 6`,
      for: duration('10m'),
      severity: 'warning',
      summary: 'A collector keeps changing state.',
      description: 'Collector {{ $labels.collector_id }} changed state {{ $value }} times in the last hour.',
      dashboard,
      fires: {
        series: [{ series: `${c.collector_state_since_timestamp_seconds}{${scraped},collector_id="c-1"}`, values: '0 60 120 180 240 300 360 420 480 540 600 660 720 780 840 900 960 1020 1080 1140 1200' }],
        at: '20m',
        labels: { ...SCRAPE, collector_id: 'c-1' },
        description: 'Collector c-1 changed state 20 times in the last hour.',
      },
      nearMiss: {
        series: [{ series: `${c.collector_state_since_timestamp_seconds}{${scraped},collector_id="c-1"}`, values: '0 0 0 0 0 300 300 300 300 300 600 600 600 600 600 900 900 900 900 900 900' }],
        at: '20m',
        why: 'three changes an hour is not flapping',
      },
    },
    {
      alert: 'CollectorFleetDisconnected',
      expr: `job:collectors_disconnected:ratio > 0.25 and on (job) job:collectors:count >= 4`,
      for: duration('3m'),
      severity: 'critical',
      summary: 'A large share of the collector fleet is disconnected.',
      description: '{{ $value | humanizePercentage }} of the collectors known to {{ $labels.job }} are Disconnected.',
      dashboard: { uid: DASHBOARD_UIDS.collectors },
      fires: {
        series: [
          { series: `${c.collector_fleet_state}{job="fleetwatch-collectors",state="Connected"}`, values: '10 10 6 6 6 6 6 6' },
          { series: `${c.collector_fleet_state}{job="fleetwatch-collectors",state="Disconnected"}`, values: '0 0 4 4 4 4 4 4' },
        ],
        at: '6m',
        labels: { job: 'fleetwatch-collectors' },
        description: '40% of the collectors known to fleetwatch-collectors are Disconnected.',
      },
      nearMiss: {
        series: [
          { series: `${c.collector_fleet_state}{job="fleetwatch-collectors",state="Connected"}`, values: '10 10 8 8 8 8 8 8' },
          { series: `${c.collector_fleet_state}{job="fleetwatch-collectors",state="Disconnected"}`, values: '0 0 2 2 2 2 2 2' },
        ],
        at: '6m',
        why: 'a fifth of the fleet',
      },
    },
    {
      alert: 'CollectorIllegalTransitions',
      expr: `sum by (job, from, to) (increase(${c.collector_illegal_transitions_total}[${duration('15m')}])) > 0`,
      for: duration('0m'),
      severity: 'warning',
      summary: 'Collector state changes skipped steps of the state diagram; events were missed.',
      description: 'About {{ $value | printf "%.0f" }} collector state change(s) went from {{ $labels.from }} straight to {{ $labels.to }} in the last 15 minutes.',
      dashboard: { uid: DASHBOARD_UIDS.collectors },
      fires: {
        series: [{ series: `${c.collector_illegal_transitions_total}{${scraped},from="Pending",to="Connected"}`, values: '0 0 0 1 1 1 1' }],
        at: '6m',
        labels: { job: SCRAPE.job, from: 'Pending', to: 'Connected' },
        description: 'About 1 collector state change(s) went from Pending straight to Connected in the last 15 minutes.',
      },
      nearMiss: {
        series: [{ series: `${c.collector_illegal_transitions_total}{${scraped},from="Pending",to="Connected"}`, values: '1x30' }],
        at: '25m',
        why: 'an old illegal transition, nothing new',
      },
    },
    {
      alert: 'CollectorSourceDown',
      expr: `${c.collector_source_up} == 0`,
      for: duration('5m'),
      severity: 'warning',
      summary: 'A source of collector states is down; its collectors keep their last known state.',
      description: 'The {{ $labels.source }} source of {{ $labels.job }} ({{ $labels.instance }}) has been down for 5 minutes (collector_source_up = {{ $value }}).',
      dashboard: { uid: DASHBOARD_UIDS.collectors },
      fires: {
        series: [{ series: `${c.collector_source_up}{source="bindplane",instance="fleetwatch:9810",job="fleetwatch-collectors"}`, values: '1 0 0 0 0 0 0 0' }],
        at: '7m',
        labels: { source: 'bindplane', instance: 'fleetwatch:9810', job: 'fleetwatch-collectors' },
        description: 'The bindplane source of fleetwatch-collectors (fleetwatch:9810) has been down for 5 minutes (collector_source_up = 0).',
      },
      nearMiss: {
        series: [{ series: `${c.collector_source_up}{source="bindplane",instance="fleetwatch:9810",job="fleetwatch-collectors"}`, values: '1 0 0 0 1 1 1 1' }],
        at: '7m',
        why: 'a three-minute outage',
      },
    },
  ],
};
