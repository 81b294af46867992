/**
 * An OTLP sum turned into one of our counters: it only goes up, across the
 * sender's restarts (a cumulative series that starts again) and whichever
 * temporality the sender uses. Each attribute set is its own cumulative
 * series, with its own restarts; the counter is their sum.
 */
import type { CounterReading } from './observations.js';

/** Attribute sets remembered per counter; the one seen least recently goes first. */
export const MAX_SERIES = 64;

export interface CounterState {
  total: number;
  /** The last cumulative reading per attribute set, to tell an increase from a restart; least recently seen first. */
  series?: Record<string, { value: number; startNs: number }>;
}

/**
 * Adds a reading; returns by how much the count went up since the previous
 * reading. The first reading of a cumulative series is taken in, but adds
 * nothing to what is returned: when those events happened is unknown.
 */
export function advanceCounter(state: CounterState, reading: CounterReading): number {
  let increase = 0;
  if (reading.delta) {
    for (const s of reading.series) increase += Math.max(0, s.value);
    state.total += increase;
    return increase;
  }
  // Keys are JSON arrays, never integer-like or __proto__: the object keeps insertion order.
  const series = (state.series ??= {});
  for (const s of reading.series) {
    const previous = series[s.key];
    delete series[s.key];
    series[s.key] = { value: s.value, startNs: s.startNs };
    if (!previous) {
      state.total += Math.max(0, s.value);
      continue;
    }
    const restarted = s.startNs !== previous.startNs || s.value < previous.value;
    const up = restarted ? Math.max(0, s.value) : s.value - previous.value;
    state.total += up;
    increase += up;
  }
  const keys = Object.keys(series);
  for (const key of keys.slice(0, Math.max(0, keys.length - MAX_SERIES))) delete series[key];
  return increase;
}
