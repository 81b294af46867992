/**
 * Facts of the StackState health synchronisation format (see the reference,
 * Topic A): the three consistency models, the health values, the documented
 * limits and the complete list of the 14 documented error codes.
 */

export const CONSISTENCY_MODELS = ['REPEAT_SNAPSHOTS', 'REPEAT_STATES', 'TRANSACTIONAL_INCREMENTS'] as const;
export type ConsistencyModel = (typeof CONSISTENCY_MODELS)[number];

/** The agent's Go constants; the wire values are case-insensitive. */
export const HEALTH_VALUES = ['CLEAR', 'DEVIATING', 'CRITICAL'] as const;
export type Health = (typeof HEALTH_VALUES)[number];

/** `repeat_interval_s` above this raises SubStreamRepeatIntervalTooHigh. */
export const MAX_REPEAT_INTERVAL_S = 1800;

/** An open snapshot is stopped automatically after this many repeat intervals. */
export const AUTO_STOP_REPEAT_INTERVALS = 2;

export const ERROR_CODES = [
  'StreamMissingSubStream',
  'StreamConsistencyModelMismatch',
  'SubStreamRepeatIntervalTooHigh',
  'SubStreamStartWithoutStop',
  'SubStreamCheckStateOutsideSnapshot',
  'SubStreamStopWithoutStart',
  'SubStreamMissingStop',
  'SubStreamExpired',
  'SubStreamLateData',
  'SubStreamTransformerError',
  'SubStreamMissingCheckpoint',
  'SubStreamInvalidCheckpoint',
  'SubStreamOutdatedCheckpoint',
  'SubStreamUnknownCheckState',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Transactional Increments errors that mean the sub stream's state may have
 * diverged from the source (lost or unverifiable increments, a delete of a
 * state we never had). Nothing the source sends later proves the state whole
 * again, so, as on the receiver, only an explicit clear ends them.
 */
export const STICKY_ERRORS: ReadonlySet<ErrorCode> = new Set([
  'SubStreamMissingCheckpoint',
  'SubStreamInvalidCheckpoint',
  'SubStreamUnknownCheckState',
]);
