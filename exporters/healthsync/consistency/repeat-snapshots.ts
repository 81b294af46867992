/**
 * REPEAT_SNAPSHOTS: `start_snapshot` opens a snapshot (before the message's
 * check states are read), `stop_snapshot` closes it (after); the closed
 * snapshot replaces the applied check states, so a state missing from it is
 * deleted. A snapshot still open 2 × the repeat interval after its start is
 * stopped automatically.
 */
import type { HealthMessage } from '../observations.js';
import { AUTO_STOP_REPEAT_INTERVALS, type ErrorCode } from '../protocol.js';
import type { SubStream } from '../state.js';
import { setIntervals } from './intervals.js';

/** A snapshot closed by the source ends every error about snapshot order and timing. */
const ENDED_BY_COMPLETE_SNAPSHOT: readonly ErrorCode[] = [
  'SubStreamStartWithoutStop',
  'SubStreamStopWithoutStart',
  'SubStreamCheckStateOutsideSnapshot',
  'SubStreamMissingStop',
  'SubStreamLateData',
];

export function applyRepeatSnapshots(sub: SubStream, msg: HealthMessage): void {
  const { at } = msg;
  if (msg.startSnapshot) {
    sub.setUp(at);
    setIntervals(sub, msg.startSnapshot, at);
    if (sub.record.snapshot) {
      // The unfinished snapshot is abandoned: a partial snapshot must not delete states.
      sub.raise('SubStreamStartWithoutStop', at);
      sub.dropPending();
    }
    sub.record.snapshot = { openedAt: at, transformFailed: false };
  } else if (!sub.isSetUp) {
    sub.raise('StreamMissingSubStream', at);
    return;
  }
  const snapshot = sub.record.snapshot;
  // Data, for expiry and the last message time, is what this applies: a start,
  // states added to an open snapshot, a stop closing it. A stray stop or
  // states outside a snapshot apply nothing, so they cannot postpone expiry.
  let applied = msg.startSnapshot !== undefined;
  let failed = false;
  for (const item of msg.checkStates) {
    if (item.op === 'invalid') failed = true;
    else if (snapshot && item.op === 'upsert') {
      sub.putPending(item.id, item.health);
      applied = true;
    }
  }
  if (msg.checkStates.length > 0 && !snapshot) sub.raise('SubStreamCheckStateOutsideSnapshot', at);
  if (failed) {
    sub.raise('SubStreamTransformerError', at);
    if (snapshot) snapshot.transformFailed = true;
  }

  if (msg.stopSnapshot) {
    if (snapshot) {
      closeSnapshot(sub, at, 'stop');
      applied = true;
    } else sub.raise('SubStreamStopWithoutStart', at);
  }
  if (applied) sub.record.lastDataAt = at;
}

/** The automatic stop; true if it happened. */
export function tickRepeatSnapshots(sub: SubStream, now: number, floor: number): boolean {
  const { snapshot, repeatMs } = sub.record;
  if (!snapshot || repeatMs === undefined) return false;
  if (now - Math.max(snapshot.openedAt, floor) <= AUTO_STOP_REPEAT_INTERVALS * repeatMs) return false;
  closeSnapshot(sub, now, 'auto');
  return true;
}

function closeSnapshot(sub: SubStream, at: number, by: 'stop' | 'auto'): void {
  const transformFailed = sub.record.snapshot?.transformFailed ?? false;
  sub.applyPending(at);
  sub.record.snapshot = undefined;
  if (by === 'auto') {
    // Applied, but not complete data from the source: freshness does not move.
    sub.raise('SubStreamMissingStop', at);
    return;
  }
  sub.record.lastCompleteAt = at;
  for (const code of ENDED_BY_COMPLETE_SNAPSHOT) sub.clear(code);
  if (!transformFailed) sub.clear('SubStreamTransformerError');
}
