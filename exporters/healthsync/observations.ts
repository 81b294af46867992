/**
 * What the intake tells the model: one observation per `health` item, plus
 * the operator's clear-errors and delete-stream requests. Times and
 * intervals are milliseconds.
 */
import type { ConsistencyModel, Health } from './protocol.js';

export interface Checkpoint {
  offset: number;
  /** The last index contained in the message; absent means the whole offset. */
  batchIndex?: number;
}

/** A check state as the receiver's transformation reads it. */
export type CheckStateItem =
  | { op: 'upsert'; id: string; health: Health }
  /** Transactional Increments only: `"delete": true`. */
  | { op: 'delete'; id: string }
  /** Could not be interpreted (SubStreamTransformerError); `problem` is for the log. */
  | { op: 'invalid'; problem: string };

export interface Intervals {
  repeatMs: number;
  /** Absent or 0: expiry disabled. */
  expiryMs?: number;
}

export interface HealthMessage {
  kind: 'health';
  at: number;
  urn: string;
  /** '' is the default sub stream (no `sub_stream_id`). */
  subStreamId: string;
  model: ConsistencyModel;
  /** REPEAT_SNAPSHOTS */
  startSnapshot?: Intervals;
  stopSnapshot: boolean;
  /** REPEAT_STATES */
  expiry?: Intervals;
  /** TRANSACTIONAL_INCREMENTS */
  increment?: { checkpoint: Checkpoint; previous?: Checkpoint };
  checkStates: CheckStateItem[];
}

export type HealthsyncObservation =
  | HealthMessage
  /** `sts health clear-error`: every active error of a stream, or of one of its sub streams. */
  | { kind: 'clear_errors'; at: number; urn: string; subStreamId?: string }
  /** `sts health delete`: the stream, its sub streams and check states. */
  | { kind: 'delete_stream'; at: number; urn: string };
