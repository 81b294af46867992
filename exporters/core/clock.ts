/**
 * Time, injected. Models never read the wall clock: they are handed `now`
 * (milliseconds since the epoch) so tests can advance time instead of sleeping.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests and the simulator. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }

  set(ms: number): void {
    this.current = ms;
  }
}

/** Prometheus speaks seconds; the model keeps milliseconds. */
export function toSeconds(ms: number): number {
  return ms / 1000;
}
