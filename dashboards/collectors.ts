/** fleetwatch / Collectors: who is in which state, since when, and how the fleet moves. */
import { collectorsCatalog as c } from '../exporters/collectors/catalog.js';
import { STATES, type CollectorState } from '../exporters/collectors/states.js';
import { fleetDashboard, labelVariable, regexVariable, type Panel } from './lib/dashboard.js';
import { goodBelow, NEUTRAL, stat, stateTimeline, table, timeseries, UP_DOWN } from './lib/panels.js';
import { STUCK_MINUTES } from '../alerts/rules/collectors.js';
import { DASHBOARD_UIDS } from './uids.js';

const fleet = `job=~"$job"`;
const one = `job=~"$job",collector_id=~"$collector_id"`;

/** Each state as a number, worst highest, so a timeline can colour it and topk can pick the worst. */
const STATE_CODES: Array<[CollectorState, number, string]> = [
  ['Connected', 1, 'green'],
  ['Configuring', 2, 'blue'],
  ['Pending', 3, 'purple'],
  ['Upgrading', 4, 'yellow'],
  ['Incompatible', 5, 'orange'],
  ['Error', 6, 'red'],
  ['Disconnected', 7, 'dark-red'],
];

const stateCode = `max by (collector_id) (${STATE_CODES.map(([s, code]) => `(${c.collector_state}{${one},state="${s}"} == 1) * ${code}`).join(' or ')})`;

const STATE_COLOURS: Record<CollectorState, string> = Object.fromEntries(STATE_CODES.map(([s, , colour]) => [s, colour])) as Record<CollectorState, string>;
const BAD: CollectorState[] = ['Disconnected', 'Error'];
const STUCK = ['Configuring', 'Pending', 'Upgrading', 'Incompatible'] as const satisfies CollectorState[];

function stateStat(state: CollectorState): Panel {
  const steps = BAD.includes(state) ? goodBelow(1) : (STUCK as readonly CollectorState[]).includes(state) ? [{ value: null, color: 'green' }, { value: 1, color: 'orange' }] : NEUTRAL;
  return stat({ title: state, unit: 'none', thresholds: steps, span: 3, height: 4, queries: [{ expr: `sum(${c.collector_fleet_state}{${fleet},state="${state}"})` }] });
}

export function collectorsOverview(): Panel[] {
  return [
    stat({
      title: 'Collectors disconnected',
      description: 'Share of known collectors that are Disconnected. Over 25% pages (CollectorFleetDisconnected).',
      unit: 'percentunit',
      thresholds: goodBelow(0.25, 0.05),
      span: 6,
      height: 4,
      queries: [{ expr: `sum(${c.collector_fleet_state}{state="Disconnected"}) / clamp_min(sum(${c.collector_fleet_state}), 1)` }],
    }),
    stat({
      title: 'Collectors in Error',
      unit: 'none',
      thresholds: goodBelow(1),
      span: 6,
      height: 4,
      queries: [{ expr: `sum(${c.collector_fleet_state}{state="Error"})` }],
    }),
    stat({
      title: 'Collectors stuck',
      description: 'Collectors past their alert\'s threshold in a stuck state: Incompatible over 5 minutes, Configuring over 15, Pending or Upgrading over 30.',
      unit: 'none',
      thresholds: goodBelow(1),
      span: 6,
      height: 4,
      queries: [{ expr: `count(${STUCK.map((state) => `((time() - ${c.collector_state_since_timestamp_seconds}) > ${STUCK_MINUTES[state] * 60} and on (job, instance, collector_id) ${c.collector_state}{state="${state}"} == 1)`).join(' or ')}) or vector(0)` }],
    }),
    stat({
      title: 'Collector sources down',
      unit: 'none',
      thresholds: goodBelow(1),
      span: 6,
      height: 4,
      queries: [{ expr: `count(${c.collector_source_up} == 0) or vector(0)` }],
    }),
  ];
}

export function collectorsDashboard() {
  return fleetDashboard({
    uid: DASHBOARD_UIDS.collectors,
    title: 'fleetwatch / Collectors',
    description: 'OpenTelemetry collectors managed over OpAMP: which state each is in (Connected, Disconnected, Error, Configuring, Pending, Incompatible, Upgrading), since when, and how the fleet moves.',
    tags: ['collectors'],
    variables: [
      labelVariable('job', 'Exporter job', `${c.collector_fleet_state}`, 'The collectors exporter (one per fleet).'),
      regexVariable('collector_id', 'Collector id (regex)', 'Filters the per-collector panels; alert links fill it in.'),
    ],
    sections: [
      {
        title: 'Fleet now',
        panels: [
          stat({ title: 'Known collectors', unit: 'none', thresholds: NEUTRAL, span: 3, height: 4, queries: [{ expr: `sum(${c.collector_fleet_state}{${fleet}})` }] }),
          ...STATES.map(stateStat),
        ],
      },
      {
        title: 'Over time',
        panels: [
          timeseries({
            title: 'Fleet by state',
            unit: 'none',
            thresholds: NEUTRAL,
            stacked: true,
            span: 12,
            height: 8,
            queries: [{ expr: `sum by (state) (${c.collector_fleet_state}{${fleet}})`, legend: '{{state}}' }],
          }),
          timeseries({
            title: 'Transitions',
            description: 'State changes along legal edges of the state diagram, per interval.',
            unit: 'none',
            thresholds: NEUTRAL,
            bars: true,
            span: 6,
            height: 8,
            queries: [{ expr: `sum by (from, to) (increase(${c.collector_state_transitions_total}{${fleet}}[$__rate_interval])) > 0`, legend: '{{from}} → {{to}}' }],
          }),
          timeseries({
            title: 'Illegal transitions',
            description: 'State changes along edges the diagram does not have. Each one means fleetwatch missed events (a source was down, a tool skipped a step). See the CollectorIllegalTransitions runbook.',
            unit: 'none',
            thresholds: goodBelow(1),
            bars: true,
            span: 6,
            height: 8,
            queries: [{ expr: `sum by (from, to) (increase(${c.collector_illegal_transitions_total}{${fleet}}[$__rate_interval])) > 0`, legend: '{{from}} → {{to}}' }],
          }),
        ],
      },
      {
        title: 'Collectors',
        panels: [
          stateTimeline({
            title: 'State timeline',
            description: 'One row per collector, coloured by state; the 50 in the worst states when there are more. Narrow with the collector id filter.',
            unit: 'none',
            thresholds: NEUTRAL,
            span: 24,
            height: 10,
            mappings: Object.fromEntries(STATE_CODES.map(([s, code]) => [String(code), { text: s, color: STATE_COLOURS[s] }])),
            queries: [{ expr: `topk(50, ${stateCode})`, legend: '{{collector_id}}' }],
          }),
          table({
            title: 'Stuck collectors',
            description: 'Collectors in Error, Configuring, Pending, Upgrading or Incompatible, longest first: how long they have been there.',
            unit: 's',
            thresholds: goodBelow(1800, 600),
            span: 14,
            height: 9,
            sortBy: 'Value',
            hide: ['job', 'instance'],
            queries: [
              {
                expr: `topk(50, ((time() - ${c.collector_state_since_timestamp_seconds}{${one}}) * on (job, instance, collector_id) group_left (state) (${c.collector_state}{${one},state=~"Error|${STUCK.join('|')}"} == 1)) * on (job, instance, collector_id) group_left (name, host, version) ${c.collector_info})`,
              },
            ],
          }),
          table({
            title: 'Versions',
            description: 'How many collectors run each version (service.version).',
            unit: 'none',
            thresholds: NEUTRAL,
            span: 10,
            height: 9,
            sortBy: 'Value',
            queries: [{ expr: `count by (version, name) (${c.collector_info}{${fleet}})` }],
          }),
        ],
      },
      {
        title: 'Sources',
        panels: [
          stat({
            title: 'Source up',
            description: 'OpAMP server listening, last Bindplane poll succeeded, event API served. A source that is down keeps its collectors in their last state.',
            unit: 'none',
            thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
            mappings: UP_DOWN,
            span: 6,
            height: 5,
            queries: [{ expr: `${c.collector_source_up}{${fleet}}`, legend: '{{source}}' }],
          }),
          stat({
            title: 'Since last delivery',
            description: 'Time since each source last brought data (an OpAMP message, a complete Bindplane poll, an accepted event batch).',
            unit: 's',
            thresholds: goodBelow(600, 180),
            span: 6,
            height: 5,
            queries: [{ expr: `time() - ${c.collector_source_last_success_timestamp_seconds}{${fleet}}`, legend: '{{source}}' }],
          }),
          timeseries({
            title: 'OpAMP messages',
            unit: 'reqps',
            thresholds: NEUTRAL,
            span: 6,
            height: 5,
            queries: [
              { expr: `sum by (transport) (rate(${c.collector_opamp_messages_total}{${fleet}}[$__rate_interval]))`, legend: '{{transport}}' },
              { expr: `sum by (reason) (rate(${c.collector_opamp_full_state_requests_total}{${fleet}}[$__rate_interval]))`, legend: 'full state asked: {{reason}}' },
            ],
          }),
          stat({
            title: 'OpAMP WebSockets open',
            unit: 'none',
            thresholds: NEUTRAL,
            span: 3,
            height: 5,
            queries: [{ expr: `sum(${c.collector_opamp_websocket_connections}{${fleet}})` }],
          }),
          stat({
            title: 'Unknown Bindplane codes',
            description: 'Agents whose Bindplane status code the status map does not know, in the last hour; add them to collectors.bindplane.status_map.',
            unit: 'none',
            thresholds: goodBelow(1),
            span: 3,
            height: 5,
            queries: [{ expr: `sum(increase(${c.collector_bindplane_unknown_status_total}{${fleet}}[1h])) or vector(0)` }],
          }),
        ],
      },
    ],
  });
}
