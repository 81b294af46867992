/**
 * An OTLP sum turned into one of our counters: it only goes up, across the
 * sender's restarts (a cumulative series that starts again) and whichever
 * temporality the sender uses.
 */
import type { CounterReading } from './observations.js';

export interface CounterState {
  total: number;
  /** The last cumulative reading, to tell an increase from a restart. */
  last?: { value: number; startNs: number };
}

/**
 * Adds a reading; returns by how much the count went up since the previous
 * reading, or 0 for the first reading of a cumulative series (its count
 * is taken in, but when those events happened is unknown).
 */
export function advanceCounter(state: CounterState, reading: CounterReading): number {
  if (reading.delta) {
    const increase = Math.max(0, reading.value);
    state.total += increase;
    return increase;
  }
  const previous = state.last;
  state.last = { value: reading.value, startNs: reading.startNs };
  if (!previous) {
    state.total += Math.max(0, reading.value);
    return 0;
  }
  const restarted = reading.startNs !== previous.startNs || reading.value < previous.value;
  const increase = restarted ? Math.max(0, reading.value) : reading.value - previous.value;
  state.total += increase;
  return increase;
}
