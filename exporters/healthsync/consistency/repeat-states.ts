/**
 * REPEAT_STATES: `expiry` sets the sub stream up (before the message's check
 * states are read); states are created and updated, never deleted by a
 * message: each goes once it has not been observed for the expiry interval.
 */
import type { HealthMessage } from '../observations.js';
import type { SubStream } from '../state.js';
import { setIntervals } from './intervals.js';

export function applyRepeatStates(sub: SubStream, msg: HealthMessage): void {
  const { at } = msg;
  if (msg.expiry) {
    sub.setUp(at);
    setIntervals(sub, msg.expiry, at);
  } else if (!sub.isSetUp) {
    sub.raise('StreamMissingSubStream', at);
    return;
  }
  // Any message is the source repeating its state set, even an empty one.
  sub.record.lastDataAt = sub.record.lastCompleteAt = at;
  sub.clear('SubStreamLateData');

  let failed = false;
  for (const item of msg.checkStates) {
    if (item.op === 'invalid') failed = true;
    else if (item.op === 'upsert') sub.putState(item.id, item.health, at);
  }
  if (failed) sub.raise('SubStreamTransformerError', at);
  else sub.clear('SubStreamTransformerError');
}

/** Deletes the states not observed within the expiry interval; true if any went. */
export function tickRepeatStates(sub: SubStream, now: number, floor: number): boolean {
  const expiryMs = sub.record.expiryMs;
  if (!expiryMs) return false;
  let deleted = false;
  for (const [id, state] of sub.states) {
    if (now - Math.max(state.at, floor) > expiryMs) deleted = sub.deleteState(id) || deleted;
  }
  return deleted;
}
