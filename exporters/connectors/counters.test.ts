import { describe, expect, it } from 'vitest';
import { advanceCounter, MAX_SERIES, type CounterState } from './counters.js';

const cumulative = (...series: Array<[key: string, value: number, startNs?: number]>) => ({
  delta: false,
  series: series.map(([key, value, startNs = 1]) => ({ key, value, startNs })),
});

describe('OTLP sums as counters, per attribute set', () => {
  it('follows each attribute set on its own: one missing from a request is no restart of the others', () => {
    const state: CounterState = { total: 0 };
    expect(advanceCounter(state, cumulative(['a', 10], ['b', 5]))).toBe(0);
    expect(state.total).toBe(15);
    // b is not in this request (another batch carries it): a goes up by 2, nothing restarted.
    expect(advanceCounter(state, cumulative(['a', 12]))).toBe(2);
    expect(state.total).toBe(17);
    expect(advanceCounter(state, cumulative(['a', 12], ['b', 8]))).toBe(3);
    expect(state.total).toBe(20);
  });

  it('sees a restart of one attribute set by its new start time or its drop, and counts from zero there', () => {
    const state: CounterState = { total: 0 };
    advanceCounter(state, cumulative(['a', 10], ['b', 5]));
    expect(advanceCounter(state, cumulative(['a', 3, 2], ['b', 6]))).toBe(4);
    expect(advanceCounter(state, cumulative(['a', 4, 2], ['b', 1]))).toBe(2);
    expect(state.total).toBe(15 + 4 + 2);
  });

  it('adds up delta points', () => {
    const state: CounterState = { total: 0 };
    expect(advanceCounter(state, { delta: true, series: [{ key: 'a', value: 2, startNs: 0 }, { key: 'b', value: 3, startNs: 0 }] })).toBe(5);
    expect(state.total).toBe(5);
  });

  it(`remembers at most ${MAX_SERIES} attribute sets, forgetting the one seen least recently`, () => {
    const state: CounterState = { total: 0 };
    for (let i = 0; i < MAX_SERIES; i++) advanceCounter(state, cumulative([`s${i}`, 1]));
    advanceCounter(state, cumulative(['s0', 2]));
    advanceCounter(state, cumulative(['new', 1]));
    expect(Object.keys(state.series!)).toHaveLength(MAX_SERIES);
    expect(state.series).not.toHaveProperty('s1');
    expect(state.series).toHaveProperty('s0');
  });
});
