/** fleetwatch / Health sync: how fresh each health stream and sub stream is, which consistency errors are active, and the tee. */
import { SENDER_ERROR_CODES } from '../alerts/rules/healthsync.js';
import { selfCatalog } from '../exporters/core/self-metrics.js';
import { healthsyncCatalog as h } from '../exporters/healthsync/catalog.js';
import { HEALTH_VALUES, type Health } from '../exporters/healthsync/protocol.js';
import { fleetDashboard, labelVariable, regexVariable, type Panel } from './lib/dashboard.js';
import { goodBelow, NEUTRAL, stat, table, timeseries, type Step } from './lib/panels.js';
import { DASHBOARD_UIDS } from './uids.js';

const exporter = `job=~"$job"`;
const streams = `job=~"$job",stream=~"$stream"`;
const subStreams = `job=~"$job",stream=~"$stream",sub_stream=~"$sub_stream"`;
const ON_SUB_STREAM = 'on (job, instance, stream, sub_stream)';

const errorsWith = (codes: string) => `${h.healthsync_substream_error}{${subStreams},code=~"${codes}"}`;
const LATE = 'SubStreamLateData';
const EXPIRED = 'SubStreamExpired';
const MISSING_STOP = 'SubStreamMissingStop';
const CHECKPOINT_GAP = 'SubStreamInvalidCheckpoint|SubStreamMissingCheckpoint';
const SENDER_ERRORS = SENDER_ERROR_CODES.join('|');
/** Reasons counted on the exporter that are not intake payloads (the operator routes). */
const OPERATOR_REASONS = 'unknown_stream|invalid_request';

/** Freshness is in repeat intervals: late at 2 (the default late_tolerance), worth a look from 1.5. */
const FRESHNESS_STEPS = goodBelow(2, 1.5);
const FRESHNESS_UNIT = 'suffix: intervals';
const FRESHNESS_HELP =
  'Freshness ratio: time since the sub stream last delivered complete data (a snapshot stopped by the source, a REPEAT_STATES message), divided by its repeat interval. 1 means one interval ago, as promised; above 2 (late_tolerance) the sub stream is late. Transactional increments have no repeat interval and no ratio.';

const HEALTH_COLOURS: Record<Health, string> = { CLEAR: 'green', DEVIATING: 'orange', CRITICAL: 'red' };
/** Orange from 1: something to look at, not necessarily broken. */
const WATCH: Step[] = [{ value: null, color: 'green' }, { value: 1, color: 'orange' }];

/** How many sub streams have one of the codes active now (0, not "No data", when none). */
function countWith(codes: string, filter = subStreams): string {
  return `count(${h.healthsync_substream_error}{${filter},code=~"${codes}"}) or vector(0)`;
}

function errorStat(title: string, codes: string, description: string, opts: { steps?: Step[]; span?: number } = {}): Panel {
  return stat({ title, description, unit: 'none', thresholds: opts.steps ?? goodBelow(1), span: opts.span ?? 3, height: 4, queries: [{ expr: countWith(codes) }] });
}

export function healthsyncOverview(): Panel[] {
  return [
    stat({
      title: 'Sub streams late or expired',
      description: 'Health sub streams that missed their repeat interval twice (late) or sent nothing for their expiry interval (expired, data deleted). Over half of them at once pages (HealthSyncManySubStreamsLate).',
      unit: 'none',
      thresholds: goodBelow(1),
      span: 6,
      height: 4,
      queries: [{ expr: 'sum(job:healthsync_stale_substreams:count) or vector(0)' }],
    }),
    stat({
      title: 'Sub streams with sync errors',
      description: 'Sub streams with an active consistency error other than late or expired: missing stops, checkpoint gaps, malformed or misordered messages.',
      unit: 'none',
      thresholds: goodBelow(1),
      span: 6,
      height: 4,
      queries: [{ expr: `count(count by (job, instance, stream, sub_stream) (${h.healthsync_substream_error}{code=~"${MISSING_STOP}|${CHECKPOINT_GAP}|${SENDER_ERRORS}"})) or vector(0)` }],
    }),
    stat({
      title: 'Intake refusals',
      description: 'Health payloads the intake refused per minute (bad key, malformed, too large, tee spool full). A refused payload is not applied nor forwarded.',
      unit: 'cpm',
      thresholds: goodBelow(1, 0.1),
      span: 6,
      height: 4,
      queries: [{ expr: `sum(rate(${selfCatalog.fleetwatch_rejected_requests_total}{exporter="healthsync",reason!~"${OPERATOR_REASONS}"}[5m])) * 60 or vector(0)` }],
    }),
    stat({
      title: 'Tee: oldest payload waiting',
      description: 'How long the oldest payload in the tee spool has waited for the upstream receiver. Blank when the spool is empty or tee mode is off.',
      unit: 's',
      thresholds: goodBelow(600, 120),
      span: 6,
      height: 4,
      noValue: 'none waiting',
      queries: [{ expr: `max(time() - ${h.healthsync_tee_spool_oldest_timestamp_seconds})` }],
    }),
  ];
}

function nowSection(): Panel[] {
  return [
    stat({ title: 'Streams', description: 'Health streams (URNs) tracked, at most limits.streams.', unit: 'none', thresholds: NEUTRAL, span: 3, height: 4, queries: [{ expr: `count(${h.healthsync_stream_info}{${streams}}) or vector(0)` }] }),
    stat({
      title: 'Sub streams set up',
      description: 'Sub streams that sent their setup (a start_snapshot, an expiry, or an increment); those known only by their errors are not counted.',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 3,
      height: 4,
      queries: [{ expr: `sum(${h.healthsync_substreams}{${streams}}) or vector(0)` }],
    }),
    errorStat('Late', LATE, 'Sub streams with SubStreamLateData: no complete data for late_tolerance (2) × their repeat interval.'),
    errorStat('Expired', EXPIRED, 'Sub streams with SubStreamExpired: no data for their expiry interval, so their check states were deleted. Forgotten after an hour without messages.'),
    errorStat('Missing stop', MISSING_STOP, 'REPEAT_SNAPSHOTS sub streams whose snapshot stayed open over 2 × the repeat interval and was stopped automatically.'),
    errorStat('Checkpoint gaps', CHECKPOINT_GAP, 'TRANSACTIONAL_INCREMENTS sub streams whose previous_checkpoint did not match (or was missing): increments lost. Sticky until clear-errors.'),
    errorStat('Sender errors', SENDER_ERRORS, 'Sub streams with any other consistency error: the sender misuses the format (model mismatch, stop without start, unreadable check states…).'),
    stat({
      title: 'Stalest sub stream',
      description: FRESHNESS_HELP,
      unit: FRESHNESS_UNIT,
      thresholds: FRESHNESS_STEPS,
      decimals: 1,
      span: 3,
      height: 4,
      queries: [{ expr: `max(${h.healthsync_substream_freshness_ratio}{${subStreams}})` }],
    }),
  ];
}

function freshnessSection(): Panel[] {
  const ratio = `${h.healthsync_substream_freshness_ratio}{${subStreams}}`;
  return [
    timeseries({
      title: 'Sub streams by freshness',
      description: `${FRESHNESS_HELP} Expired sub streams have lost their data and their ratio; they are counted apart.`,
      unit: 'none',
      thresholds: NEUTRAL,
      stacked: true,
      span: 12,
      height: 8,
      queries: [
        { expr: `count(${ratio} <= 1) or vector(0)`, legend: 'on time (≤ 1 interval)' },
        { expr: `count(${ratio} > 1 <= 2) or vector(0)`, legend: 'overdue (1–2 intervals)' },
        { expr: `count(${ratio} > 2) or vector(0)`, legend: 'over 2 intervals' },
        { expr: countWith(EXPIRED), legend: 'expired' },
      ],
    }),
    timeseries({
      title: 'Late and expired sub streams',
      description: 'Sub streams with SubStreamLateData or SubStreamExpired active, and expiries per interval (a sub stream whose data was deleted).',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 12,
      height: 8,
      queries: [
        { expr: `count by (code) (${errorsWith(`${LATE}|${EXPIRED}`)})`, legend: '{{code}}' },
        { expr: `sum(increase(${h.healthsync_substreams_expired_total}{${streams}}[$__rate_interval])) > 0`, legend: 'expiries' },
      ],
    }),
    timeseries({
      title: 'Streams: their stalest sub stream',
      description: 'Per stream, the freshness ratio of its stalest sub stream. A whole stream climbing together points at the source system, one sub stream at one agent.',
      unit: FRESHNESS_UNIT,
      thresholds: FRESHNESS_STEPS,
      span: 12,
      height: 8,
      queries: [{ expr: `max by (stream) (${ratio})`, legend: '{{stream}}' }],
    }),
    timeseries({
      title: 'Sub streams: the 20 stalest',
      description: FRESHNESS_HELP,
      unit: FRESHNESS_UNIT,
      thresholds: FRESHNESS_STEPS,
      span: 12,
      height: 8,
      queries: [{ expr: `topk(20, ${ratio})`, legend: '{{stream}} "{{sub_stream}}"' }],
    }),
  ];
}

function subStreamsSection(): Panel[] {
  return [
    table({
      title: 'Stalest sub streams',
      description: `${FRESHNESS_HELP} The 50 stalest; narrow with the stream and sub stream filters.`,
      unit: FRESHNESS_UNIT,
      thresholds: FRESHNESS_STEPS,
      decimals: 2,
      span: 12,
      height: 10,
      sortBy: 'Value',
      hide: ['job', 'instance'],
      queries: [{ expr: `topk(50, ${h.healthsync_substream_freshness_ratio}{${subStreams}})` }],
    }),
    table({
      title: 'Streams',
      description: 'Each stream with the consistency model it was created with, and how many of its sub streams are set up (Value).',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 12,
      height: 10,
      sortBy: 'Value',
      hide: ['job', 'instance'],
      queries: [{ expr: `${h.healthsync_stream_info}{${streams}} * on (job, instance, stream) group_left () ${h.healthsync_substreams}{${streams}}` }],
    }),
    table({
      title: 'Repeat intervals',
      description: 'What each sub stream promised: its repeat interval (Value). Sub streams above 1800 s raise SubStreamRepeatIntervalTooHigh.',
      unit: 's',
      thresholds: goodBelow(1801),
      span: 12,
      height: 8,
      sortBy: 'Value',
      hide: ['job', 'instance'],
      queries: [{ expr: `${h.healthsync_substream_repeat_interval_seconds}{${subStreams}}` }],
    }),
    table({
      title: 'Open snapshots',
      description: 'REPEAT_SNAPSHOTS sub streams with a snapshot started and not yet stopped, and how long since its last applied message (Value). Open longer than 2 × the repeat interval it is stopped automatically (SubStreamMissingStop).',
      unit: 's',
      thresholds: NEUTRAL,
      span: 12,
      height: 8,
      sortBy: 'Value',
      hide: ['job', 'instance'],
      queries: [{ expr: `(time() - ${h.healthsync_substream_last_message_timestamp_seconds}{${subStreams}}) and ${ON_SUB_STREAM} (${h.healthsync_substream_snapshot_open}{${subStreams}} == 1)` }],
    }),
  ];
}

function errorsSection(): Panel[] {
  return [
    timeseries({
      title: 'Active errors by code',
      description: 'Sub streams with each consistency error active. Late, missing-stop and checkpoint errors each have an alert; see the README of the healthsync exporter for how each one clears.',
      unit: 'none',
      thresholds: NEUTRAL,
      stacked: true,
      span: 12,
      height: 8,
      queries: [{ expr: `count by (code) (${h.healthsync_substream_error}{${subStreams}})`, legend: '{{code}}' }],
    }),
    timeseries({
      title: 'Error occurrences by code',
      description: 'How often each error was raised, per interval, over all sub streams of the selected streams (a late spell counts once).',
      unit: 'none',
      thresholds: NEUTRAL,
      bars: true,
      span: 12,
      height: 8,
      queries: [{ expr: `sum by (code) (increase(${h.healthsync_errors_total}{${streams}}[$__rate_interval])) > 0`, legend: '{{code}}' }],
    }),
    table({
      title: 'Active errors',
      description:
        'Every active error by sub stream. Checkpoint gaps, missing checkpoints and unknown check states never clear by themselves: fix the source, then POST /api/v1/healthsync/clear-errors?urn=<stream>&sub_stream_id=<sub stream>.',
      unit: 'none',
      thresholds: [{ value: null, color: 'red' }],
      span: 24,
      height: 9,
      hide: ['job', 'instance', 'Value'],
      queries: [{ expr: `${h.healthsync_substream_error}{${subStreams}}` }],
    }),
  ];
}

function checkStatesSection(): Panel[] {
  const byHealth = timeseries({
    title: 'Check states by health',
    description: 'Applied check states (what StackState shows on components), by health. States in an open snapshot are not applied yet. A drop to zero with an expiry is the data being deleted.',
    unit: 'none',
    thresholds: NEUTRAL,
    stacked: true,
    span: 12,
    height: 8,
    queries: [{ expr: `sum by (health) (${h.healthsync_check_states}{${subStreams}})`, legend: '{{health}}' }],
  });
  for (const health of HEALTH_VALUES) byHealth.overrideByName(health, [{ id: 'color', value: { mode: 'fixed', fixedColor: HEALTH_COLOURS[health] } }]);
  return [
    byHealth,
    table({
      title: 'Sub streams with the most critical check states',
      description: 'What the sources report, not a fault of the sync: where StackState will show red.',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 12,
      height: 8,
      sortBy: 'Value',
      hide: ['job', 'instance', 'health'],
      queries: [{ expr: `topk(20, ${h.healthsync_check_states}{${subStreams},health="CRITICAL"} > 0)` }],
    }),
    timeseries({
      title: 'Health messages received by model',
      description: 'Items of the intake health array per second, by the consistency model they claim (a model other than the stream\u2019s is not applied: StreamConsistencyModelMismatch).',
      unit: 'cps',
      thresholds: NEUTRAL,
      span: 12,
      height: 7,
      queries: [{ expr: `sum by (consistency_model) (rate(${h.healthsync_messages_total}{${streams}}[$__rate_interval]))`, legend: '{{consistency_model}}' }],
    }),
    timeseries({
      title: 'Check states held',
      description: 'Applied check states over all selected sub streams, against which limits.check_states (default 500000, applied and pending) is counted.',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 12,
      height: 7,
      queries: [{ expr: `sum(${h.healthsync_check_states}{${subStreams}})`, legend: 'applied' }],
    }),
  ];
}

function checkpointsSection(): Panel[] {
  const offset = `${h.healthsync_checkpoint_offset}{${subStreams}}`;
  return [
    stat({
      title: 'Increment sub streams',
      description: 'TRANSACTIONAL_INCREMENTS sub streams with a checkpoint. Their gaps are counted in Checkpoint gaps, at the top.',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 8,
      height: 4,
      queries: [{ expr: `count(${offset}) or vector(0)` }],
    }),
    errorStat('Redeliveries', 'SubStreamOutdatedCheckpoint', 'SubStreamOutdatedCheckpoint active: an increment already received came again (at-least-once delivery). Harmless; clears with the next new increment.', { steps: WATCH, span: 8 }),
    errorStat('Unknown check states', 'SubStreamUnknownCheckState', 'A delete named a check state the sub stream did not have: state may have diverged. Sticky until clear-errors.', { span: 8 }),
    table({
      title: 'Checkpoints',
      description: 'The last applied checkpoint offset (Value) of each TRANSACTIONAL_INCREMENTS sub stream. The next increment must name it as previous_checkpoint.',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 8,
      height: 8,
      sortBy: 'Value',
      hide: ['job', 'instance'],
      queries: [{ expr: offset }],
    }),
    table({
      title: 'Batch index',
      description: 'The batch_index of the last applied checkpoint, for sub streams that split an offset into batches.',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 8,
      height: 8,
      sortBy: 'Value',
      hide: ['job', 'instance'],
      queries: [{ expr: `${h.healthsync_checkpoint_batch_index}{${subStreams}}` }],
    }),
    table({
      title: 'Since last increment',
      description: 'Time since each TRANSACTIONAL_INCREMENTS sub stream last had an increment applied. The model has no repeat interval, so nothing here is late by definition; compare with how often the source should send.',
      unit: 's',
      thresholds: NEUTRAL,
      span: 8,
      height: 8,
      sortBy: 'Value',
      hide: ['job', 'instance'],
      queries: [{ expr: `(time() - ${h.healthsync_substream_last_complete_timestamp_seconds}{${subStreams}}) and ${ON_SUB_STREAM} ${offset}` }],
    }),
  ];
}

function intakeSection(): Panel[] {
  return [
    timeseries({
      title: 'Intake refusals by reason',
      description: 'Requests the exporter refused, per second: unauthorized (api_key), invalid_json/invalid_payload (400), body_too_large, unsupported_media_type, tee_spool_full (503). A refused payload changes nothing and is not forwarded.',
      unit: 'reqps',
      thresholds: NEUTRAL,
      bars: true,
      span: 12,
      height: 7,
      queries: [{ expr: `sum by (reason) (rate(${selfCatalog.fleetwatch_rejected_requests_total}{${exporter},exporter="healthsync"}[$__rate_interval])) > 0`, legend: '{{reason}}' }],
    }),
    timeseries({
      title: 'Not tracked: limits reached',
      description: 'Health messages for a new stream or sub stream beyond limits.streams / limits.substreams, and check states beyond limits.check_states: accepted (and forwarded in tee mode) but not tracked here. Raise the limit or find the sender minting new ids.',
      unit: 'none',
      thresholds: NEUTRAL,
      bars: true,
      span: 12,
      height: 7,
      queries: [
        { expr: `sum by (limit) (increase(${h.healthsync_untracked_messages_total}{${exporter}}[$__rate_interval]))`, legend: 'messages over the {{limit}} limit' },
        { expr: `sum(increase(${h.healthsync_untracked_check_states_total}{${exporter}}[$__rate_interval]))`, legend: 'check states over the check_states limit' },
      ],
    }),
  ];
}

function teeSection(): Panel[] {
  return [
    stat({
      title: 'Spool used',
      description: 'Tee spool bytes against tee.spool_max_bytes. At the bound the intake answers 503 tee_spool_full to every sender.',
      unit: 'percentunit',
      thresholds: goodBelow(0.9, 0.5),
      span: 6,
      height: 4,
      noValue: 'tee off',
      queries: [{ expr: `max(${h.healthsync_tee_spool_bytes}{${exporter}} / ${h.healthsync_tee_spool_limit_bytes}{${exporter}})` }],
    }),
    stat({
      title: 'Oldest payload waiting',
      description: 'How long the oldest spooled payload has waited for the upstream receiver. Blank when the spool is empty.',
      unit: 's',
      thresholds: goodBelow(600, 120),
      span: 6,
      height: 4,
      noValue: 'none waiting',
      queries: [{ expr: `max(time() - ${h.healthsync_tee_spool_oldest_timestamp_seconds}{${exporter}})` }],
    }),
    stat({
      title: 'Since last upstream success',
      description: 'Time since the upstream receiver last answered 2xx. Long with an empty spool just means nothing to send.',
      unit: 's',
      thresholds: NEUTRAL,
      span: 6,
      height: 4,
      noValue: 'never',
      queries: [{ expr: `min(time() - ${h.healthsync_tee_last_success_timestamp_seconds}{${exporter}})` }],
    }),
    stat({
      title: 'Payloads waiting',
      unit: 'none',
      thresholds: NEUTRAL,
      span: 6,
      height: 4,
      noValue: 'tee off',
      queries: [{ expr: `sum(${h.healthsync_tee_spool_payloads}{${exporter}})` }],
    }),
    timeseries({
      title: 'Spool size',
      unit: 'bytes',
      thresholds: NEUTRAL,
      span: 12,
      height: 8,
      queries: [
        { expr: `sum by (instance) (${h.healthsync_tee_spool_bytes}{${exporter}})`, legend: 'spooled {{instance}}' },
        { expr: `sum by (instance) (${h.healthsync_tee_spool_limit_bytes}{${exporter}})`, legend: 'bound {{instance}}' },
      ],
    }),
    timeseries({
      title: 'Delivery upstream',
      description: 'Payloads upstream accepted, failed attempts by reason (retried with backoff) and payloads dropped by status (400/413/415/422: refused for good, lost to StackState).',
      unit: 'cps',
      thresholds: NEUTRAL,
      span: 12,
      height: 8,
      queries: [
        { expr: `sum(rate(${h.healthsync_tee_forwarded_total}{${exporter}}[$__rate_interval]))`, legend: 'delivered' },
        { expr: `sum by (reason) (rate(${h.healthsync_tee_forward_failures_total}{${exporter}}[$__rate_interval])) > 0`, legend: 'failed: {{reason}}' },
        { expr: `sum by (status) (rate(${h.healthsync_tee_dropped_total}{${exporter}}[$__rate_interval])) > 0`, legend: 'dropped: HTTP {{status}}' },
      ],
    }),
  ];
}

export function healthsyncDashboard() {
  return fleetDashboard({
    uid: DASHBOARD_UIDS.healthsync,
    title: 'fleetwatch / Health sync',
    description:
      'StackState health synchronisation as fleetwatch receives it: how fresh each stream and sub stream is against its repeat interval, which of the 14 consistency errors are active, the check states applied, transactional-increment checkpoints, and the tee to the upstream receiver.',
    tags: ['healthsync'],
    variables: [
      // The untracked counters are always emitted, so the job is listed before any stream arrives.
      labelVariable('job', 'Exporter job', `${h.healthsync_untracked_messages_total}`, 'The healthsync exporter.'),
      labelVariable('stream', 'Stream', `${h.healthsync_stream_info}`, 'Health stream URNs (urn:health:<source>:<stream>).'),
      regexVariable('sub_stream', 'Sub stream (regex)', 'Filters the per-sub-stream panels; alert links fill it in. The default sub stream is the empty string: ^$.'),
    ],
    sections: [
      { title: 'Now', panels: nowSection() },
      { title: 'Freshness', panels: freshnessSection() },
      { title: 'Streams and sub streams', panels: subStreamsSection() },
      { title: 'Consistency errors', panels: errorsSection() },
      { title: 'Check states and messages', panels: checkStatesSection() },
      { title: 'Checkpoints (transactional increments)', panels: checkpointsSection() },
      { title: 'Intake and limits', panels: intakeSection() },
      { title: 'Tee to the upstream receiver', panels: teeSection() },
    ],
  });
}
