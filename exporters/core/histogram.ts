/**
 * A cumulative histogram kept by a model (not by a metrics library), so it is
 * plain data: deterministic, serialisable to the store, and rendered by the
 * view like any other sample.
 */
export interface HistogramData {
  /** Cumulative counts, one per upper bound of the family (without +Inf). */
  readonly cumulative: number[];
  sum: number;
  count: number;
}

export function emptyHistogram(bounds: readonly number[]): HistogramData {
  return { cumulative: bounds.map(() => 0), sum: 0, count: 0 };
}

export function observe(h: HistogramData, bounds: readonly number[], value: number): void {
  for (let i = 0; i < bounds.length; i++) {
    if (value <= bounds[i]!) h.cumulative[i]! += 1;
  }
  h.sum += value;
  h.count += 1;
}
