/**
 * Alerts on health synchronisation (fleetwatch healthsync): sub streams that
 * are late, expired or never stop their snapshots, broken checkpoint chains,
 * the consistency models' other errors, and the intake and tee that carry it all.
 *
 * The per-sub-stream alerts read the exporter's own error gauges rather than
 * re-deriving them from timestamps: the exporter applies the configured late
 * tolerance and does not hold its own downtime against a source, so an alert
 * on the raw freshness ratio would fire after every exporter restart.
 */
import { DASHBOARD_UIDS } from '../../dashboards/uids.js';
import { selfCatalog } from '../../exporters/core/self-metrics.js';
import { healthsyncCatalog as h } from '../../exporters/healthsync/catalog.js';
import { ERROR_CODES, type ErrorCode } from '../../exporters/healthsync/protocol.js';
import { duration, seconds } from '../lib/time.js';
import type { AlertRule, RuleGroup, SeriesInput } from '../lib/types.js';

/** The labels that identify one sub stream (job and instance come from the scrape). */
const ON_SUB_STREAM = 'on (job, instance, stream, sub_stream)';
/** Codes with an alert of their own, or (an outdated checkpoint is only a redelivery) with none. */
const OWN_ALERT: ReadonlySet<ErrorCode> = new Set([
  'SubStreamLateData',
  'SubStreamExpired',
  'SubStreamMissingStop',
  'SubStreamInvalidCheckpoint',
  'SubStreamMissingCheckpoint',
  'SubStreamOutdatedCheckpoint',
]);
/** The codes HealthSyncStreamErrors watches: the sender misusing the format. */
export const SENDER_ERROR_CODES = ERROR_CODES.filter((code) => !OWN_ALERT.has(code));

/** Intake rejection reasons that are not intake traffic: the operator routes, and the full spool (the tee alerts cover it). */
const NOT_INTAKE_REASONS = 'tee_spool_full|unknown_stream|invalid_request';

const subStreamDashboard = { uid: DASHBOARD_UIDS.healthsync, vars: { stream: 'stream', sub_stream: 'sub_stream' } };
const streamDashboard = { uid: DASHBOARD_UIDS.healthsync, vars: { stream: 'stream' } };
const exporterDashboard = { uid: DASHBOARD_UIDS.healthsync, vars: { job: 'job' } };

// Test fixtures: one exporter, one stream, one sub stream.
const scrape = { job: 'fleetwatch-healthsync', instance: 'healthsync:9812' };
const STREAM = 'urn:health:nagios:checks';
const SUB_STREAM = 'agent-7';
const subStream = { ...scrape, stream: STREAM, sub_stream: SUB_STREAM };

function series(metric: string, labels: Record<string, string>, values: string): SeriesInput {
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return { series: `${metric}{${inner}}`, values };
}

const error = (code: ErrorCode, values: string, labels: Record<string, string> = subStream) => series(`${h.healthsync_substream_error}`, { ...labels, code }, values);
const freshness = (values: string, labels: Record<string, string> = subStream) => series(`${h.healthsync_substream_freshness_ratio}`, labels, values);

/** "Sub stream "x" of urn…": quoted, so the default sub stream reads as "". */
const SUB_STREAM_OF = 'Sub stream "{{ $labels.sub_stream }}" of {{ $labels.stream }}';
const subStreamOf = (labels: Record<string, string>) => `Sub stream "${labels.sub_stream}" of ${labels.stream}`;

const late: AlertRule = {
  alert: 'HealthSyncSubStreamLate',
  expr: `${h.healthsync_substream_freshness_ratio} and ${ON_SUB_STREAM} ${h.healthsync_substream_error}{code="SubStreamLateData"}`,
  for: duration('5m'),
  severity: 'warning',
  summary: 'A health sub stream has missed its repeat interval; its health in StackState is stale.',
  description: `${SUB_STREAM_OF} has had no complete data for {{ $value | printf "%.1f" }} repeat intervals.`,
  dashboard: subStreamDashboard,
  fires: {
    series: [freshness('1.5+0.1x20'), error('SubStreamLateData', '_x5 1x15')],
    at: '12m',
    labels: subStream,
    description: `${subStreamOf(subStream)} has had no complete data for 2.7 repeat intervals.`,
  },
  nearMiss: {
    series: [freshness('1.5+0.1x8 0.2x11'), error('SubStreamLateData', '_x5 1x3 stale')],
    at: '12m',
    why: 'late for four minutes, then a complete snapshot arrived',
  },
};

const expired: AlertRule = {
  alert: 'HealthSyncSubStreamExpired',
  // The value is what is left of the stream: 0 means the whole stream went quiet.
  expr: `${h.healthsync_substream_error}{code="SubStreamExpired"} * on (job, instance, stream) group_left () ${h.healthsync_substreams}`,
  for: duration('5m'),
  severity: 'warning',
  summary: 'A health sub stream expired; its check states were deleted.',
  description: `${SUB_STREAM_OF} sent no data for longer than its expiry interval, so its check states were deleted; {{ $value }} sub stream(s) of the stream are still set up.`,
  dashboard: subStreamDashboard,
  fires: {
    series: [error('SubStreamExpired', '1x20'), series(`${h.healthsync_substreams}`, { ...scrape, stream: STREAM }, '3x20')],
    at: '10m',
    labels: { ...subStream, code: 'SubStreamExpired' },
    description: `${subStreamOf(subStream)} sent no data for longer than its expiry interval, so its check states were deleted; 3 sub stream(s) of the stream are still set up.`,
  },
  nearMiss: {
    series: [error('SubStreamExpired', '_x5 1x2 stale'), series(`${h.healthsync_substreams}`, { ...scrape, stream: STREAM }, '3x20')],
    at: '10m',
    why: 'the agent came back and set the sub stream up again within three minutes',
  },
};

const missingStop: AlertRule = {
  alert: 'HealthSyncSubStreamMissingStop',
  expr: `${h.healthsync_substream_freshness_ratio} and ${ON_SUB_STREAM} ${h.healthsync_substream_error}{code="SubStreamMissingStop"}`,
  for: duration('5m'),
  severity: 'warning',
  summary: 'A health sub stream starts snapshots and does not stop them.',
  description: `${SUB_STREAM_OF} left a snapshot open for over 2 repeat intervals and it was stopped automatically; no complete snapshot for {{ $value | printf "%.1f" }} repeat intervals.`,
  dashboard: subStreamDashboard,
  fires: {
    series: [freshness('2+0.1x20'), error('SubStreamMissingStop', '_x2 1x18')],
    at: '10m',
    labels: subStream,
    description: `${subStreamOf(subStream)} left a snapshot open for over 2 repeat intervals and it was stopped automatically; no complete snapshot for 3.0 repeat intervals.`,
  },
  nearMiss: {
    series: [freshness('2+0.1x4 0.1x15'), error('SubStreamMissingStop', '_x2 1x2 stale')],
    at: '10m',
    why: 'the source stopped its next snapshot itself three minutes later',
  },
};

const checkpointGap: AlertRule = {
  alert: 'HealthSyncCheckpointGap',
  // The value is the last applied offset: where the source has to resend from.
  expr: `${h.healthsync_checkpoint_offset} * ${ON_SUB_STREAM} group_right () ${h.healthsync_substream_error}{code=~"SubStreamInvalidCheckpoint|SubStreamMissingCheckpoint"}`,
  // Both errors are sticky (only clear-errors ends them): waiting proves nothing.
  for: duration('0m'),
  severity: 'warning',
  summary: 'A transactional increments sub stream has a gap in its checkpoint chain; its state may have diverged from the source.',
  description: `${SUB_STREAM_OF} has {{ $labels.code }}: increments were lost or cannot be verified. Last applied checkpoint offset: {{ $value | printf "%.0f" }}.`,
  dashboard: subStreamDashboard,
  fires: {
    series: [series(`${h.healthsync_checkpoint_offset}`, subStream, '100+5x10'), error('SubStreamInvalidCheckpoint', '_x3 1x7')],
    at: '5m',
    labels: { ...subStream, code: 'SubStreamInvalidCheckpoint' },
    description: `${subStreamOf(subStream)} has SubStreamInvalidCheckpoint: increments were lost or cannot be verified. Last applied checkpoint offset: 125.`,
  },
  nearMiss: {
    series: [series(`${h.healthsync_checkpoint_offset}`, subStream, '100+5x10'), error('SubStreamOutdatedCheckpoint', '_x3 1x7')],
    at: '5m',
    why: 'an outdated checkpoint is a redelivery, not a gap',
  },
};

const otherSubStream = { ...subStream, sub_stream: 'agent-8' };
const streamErrors: AlertRule = {
  alert: 'HealthSyncStreamErrors',
  // Per stream and code: one broken integration is one alert, however many agents it has.
  expr: `count by (job, instance, stream, code) (${h.healthsync_substream_error}{code=~"${SENDER_ERROR_CODES.join('|')}"})`,
  for: duration('15m'),
  severity: 'warning',
  summary: 'A health stream keeps sending data its consistency model rejects or cannot read.',
  description: '{{ $value }} sub stream(s) of {{ $labels.stream }} have had {{ $labels.code }} active for at least 15 minutes.',
  dashboard: streamDashboard,
  fires: {
    series: [error('SubStreamTransformerError', '1x30'), error('SubStreamTransformerError', '1x30', otherSubStream)],
    at: '20m',
    labels: { ...scrape, stream: STREAM, code: 'SubStreamTransformerError' },
    description: `2 sub stream(s) of ${STREAM} have had SubStreamTransformerError active for at least 15 minutes.`,
  },
  nearMiss: {
    series: [error('SubStreamTransformerError', '1x10 stale'), error('SubStreamTransformerError', '1x10 stale', otherSubStream)],
    at: '20m',
    why: 'ten minutes, then the next snapshots read cleanly',
  },
};

/** Five sub streams that can be late; `stale` of them late or expired. */
function fleetOfSubStreams(stale: number): SeriesInput[] {
  const ids = ['a', 'b', 'c', 'd'];
  return [
    ...ids.map((id, i) => freshness(i < stale - 1 ? '2.5x20' : '0.5x20', { ...subStream, sub_stream: id })),
    ...ids.slice(0, stale - 1).map((id) => error('SubStreamLateData', '1x20', { ...subStream, sub_stream: id })),
    // One expired: it has no freshness any more, but still counts.
    error('SubStreamExpired', '1x20', { ...subStream, sub_stream: 'e' }),
  ];
}

const manyLate: AlertRule = {
  alert: 'HealthSyncManySubStreamsLate',
  expr: 'job:healthsync_stale_substreams:ratio > 0.5 and on (job) job:healthsync_repeating_substreams:count >= 4',
  // A minute shorter than the per-sub-stream alerts', so the page is out (and silences them) before their tickets.
  for: duration('4m'),
  severity: 'critical',
  summary: 'More than half of the health sub streams are late or expired at once.',
  description: '{{ $value | humanizePercentage }} of the sub streams {{ $labels.job }} watches are late or expired.',
  dashboard: exporterDashboard,
  fires: { series: fleetOfSubStreams(3), at: '10m', labels: { job: scrape.job }, description: '60% of the sub streams fleetwatch-healthsync watches are late or expired.' },
  nearMiss: { series: fleetOfSubStreams(2), at: '10m', why: 'two of five sub streams (40%)' },
};

const rejected = (values: string) => series(`${selfCatalog.fleetwatch_rejected_requests_total}`, { ...scrape, exporter: 'healthsync', reason: 'unauthorized' }, values);
const intakeRejecting: AlertRule = {
  alert: 'HealthSyncIntakeRejecting',
  expr: `sum by (job, instance, reason) (rate(${selfCatalog.fleetwatch_rejected_requests_total}{exporter="healthsync",reason!~"${NOT_INTAKE_REASONS}"}[${duration('5m')}])) * 60 > 0`,
  for: duration('15m'),
  severity: 'warning',
  summary: 'The health intake keeps refusing payloads; their data is neither applied nor forwarded.',
  description: 'The healthsync intake at {{ $labels.instance }} has refused payloads as {{ $labels.reason }} for 15 minutes, {{ $value | printf "%.1f" }} a minute.',
  dashboard: exporterDashboard,
  fires: {
    series: [rejected('0+2x30')],
    at: '25m',
    labels: { ...scrape, reason: 'unauthorized' },
    description: 'The healthsync intake at healthsync:9812 has refused payloads as unauthorized for 15 minutes, 2.0 a minute.',
  },
  nearMiss: { series: [rejected('0+2x5 10x25')], at: '25m', why: 'a five-minute burst, then the sender was fixed' },
};

const untracked = (values: string) => series(`${h.healthsync_untracked_messages_total}`, { ...scrape, limit: 'substreams' }, values);
const limitReached: AlertRule = {
  alert: 'HealthSyncLimitReached',
  expr: [
    `sum by (job, instance, limit) (increase(${h.healthsync_untracked_messages_total}[${duration('5m')}])) > 0`,
    `label_replace(sum by (job, instance) (increase(${h.healthsync_untracked_check_states_total}[${duration('5m')}])) > 0, "limit", "check_states", "", "")`,
  ].join(' or '),
  for: duration('10m'),
  severity: 'warning',
  summary: 'The healthsync exporter is at a tracking limit; some health data is not tracked.',
  description: 'The healthsync exporter {{ $labels.instance }} is at its {{ $labels.limit }} limit: {{ $value | printf "%.0f" }} item(s) not tracked in the last 5 minutes.',
  dashboard: exporterDashboard,
  fires: {
    series: [untracked('0+3x20')],
    at: '15m',
    labels: { ...scrape, limit: 'substreams' },
    description: 'The healthsync exporter healthsync:9812 is at its substreams limit: 15 item(s) not tracked in the last 5 minutes.',
  },
  nearMiss: { series: [untracked('0 0 4x20')], at: '12m', why: 'one burst of untracked messages, not sustained' },
};

const oldestWaiting = (values: string) => series(`${h.healthsync_tee_spool_oldest_timestamp_seconds}`, scrape, values);
const teeStalled: AlertRule = {
  alert: 'HealthSyncTeeDeliveryStalled',
  expr: `time() - ${h.healthsync_tee_spool_oldest_timestamp_seconds} > ${seconds(600)}`,
  for: duration('5m'),
  severity: 'warning',
  summary: 'The tee has not delivered to the upstream receiver for over 10 minutes; StackState is not getting health data.',
  description: 'The oldest payload in the tee spool of {{ $labels.instance }} has waited {{ $value | humanizeDuration }} for the upstream receiver.',
  dashboard: exporterDashboard,
  fires: { series: [oldestWaiting('0x30')], at: '20m', labels: scrape, description: 'The oldest payload in the tee spool of healthsync:9812 has waited 20m 0s for the upstream receiver.' },
  nearMiss: { series: [oldestWaiting('-540+60x30')], at: '20m', why: 'a backlog nine minutes behind that keeps moving' },
};

const spoolUsed = `${h.healthsync_tee_spool_bytes} / ${h.healthsync_tee_spool_limit_bytes}`;
const spool = (bytes: string) => [series(`${h.healthsync_tee_spool_bytes}`, scrape, bytes), series(`${h.healthsync_tee_spool_limit_bytes}`, scrape, '1000x40')];
const teeSpoolFilling: AlertRule = {
  alert: 'HealthSyncTeeSpoolFilling',
  // Nearly full, or past half and on course to be full within the hour.
  expr: `(${spoolUsed} > 0.9) or (${spoolUsed} > 0.5 and on (job, instance) predict_linear(${h.healthsync_tee_spool_bytes}[${duration('30m')}], ${seconds(3600)}) > on (job, instance) ${h.healthsync_tee_spool_limit_bytes})`,
  for: duration('5m'),
  severity: 'critical',
  summary: 'The tee spool is filling up; when it is full the health intake refuses every payload.',
  description: 'The tee spool of {{ $labels.instance }} is {{ $value | humanizePercentage }} full and filling; at its bound the intake answers 503 to every sender.',
  dashboard: exporterDashboard,
  fires: { series: spool('400+10x40'), at: '20m', labels: scrape, description: 'The tee spool of healthsync:9812 is 60% full and filling; at its bound the intake answers 503 to every sender.' },
  nearMiss: { series: spool('500+5x40'), at: '20m', why: 'over half full and growing, but full in 80 minutes, not within the hour' },
};

const dropped = (values: string) => series(`${h.healthsync_tee_dropped_total}`, { ...scrape, status: '413' }, values);
const teeDropping: AlertRule = {
  alert: 'HealthSyncTeeDropping',
  // Every dropping status is exported from 0, so increase() sees the first drop too.
  expr: `increase(${h.healthsync_tee_dropped_total}[${duration('30m')}]) > 0`,
  for: duration('0m'),
  severity: 'warning',
  summary: 'The upstream receiver refused tee payloads for good; StackState never got them.',
  description: 'The upstream receiver refused {{ $value | printf "%.0f" }} payload(s) from {{ $labels.instance }} with HTTP {{ $labels.status }} in the last 30 minutes; they were dropped from the spool.',
  dashboard: exporterDashboard,
  fires: {
    series: [dropped('0x5 1x10')],
    at: '8m',
    labels: { ...scrape, status: '413' },
    description: 'The upstream receiver refused 1 payload(s) from healthsync:9812 with HTTP 413 in the last 30 minutes; they were dropped from the spool.',
  },
  nearMiss: { series: [dropped('1x60')], at: '45m', why: 'a drop from over half an hour ago, nothing new' },
};

export const healthsyncRules: RuleGroup = {
  name: 'fleetwatch-healthsync',
  domain: 'healthsync',
  recording: [
    // Sub streams that can be late (they have a repeat interval) plus those that already expired.
    {
      record: 'job:healthsync_repeating_substreams:count',
      expr: `count by (job) (${h.healthsync_substream_freshness_ratio} or ${ON_SUB_STREAM} ${h.healthsync_substream_error}{code="SubStreamExpired"})`,
    },
    { record: 'job:healthsync_stale_substreams:count', expr: `count by (job) (${h.healthsync_substream_error}{code=~"SubStreamLateData|SubStreamExpired"})` },
    { record: 'job:healthsync_stale_substreams:ratio', expr: 'job:healthsync_stale_substreams:count / on (job) job:healthsync_repeating_substreams:count' },
  ],
  alerts: [late, expired, missingStop, checkpointGap, streamErrors, manyLate, intakeRejecting, limitReached, teeStalled, teeSpoolFilling, teeDropping],
};
