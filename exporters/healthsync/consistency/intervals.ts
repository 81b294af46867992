/** The setup part REPEAT_SNAPSHOTS and REPEAT_STATES share: the source's interval commitment. */
import type { Intervals } from '../observations.js';
import { MAX_REPEAT_INTERVAL_S } from '../protocol.js';
import type { SubStream } from '../state.js';

/**
 * Takes the intervals as sent. Above 1800 s the error stays active until a
 * setup message commits to an interval the receiver allows.
 */
export function setIntervals(sub: SubStream, intervals: Intervals, at: number): void {
  sub.record.repeatMs = intervals.repeatMs;
  sub.record.expiryMs = intervals.expiryMs || undefined;
  if (intervals.repeatMs > MAX_REPEAT_INTERVAL_S * 1000) sub.raise('SubStreamRepeatIntervalTooHigh', at);
  else sub.clear('SubStreamRepeatIntervalTooHigh');
}
