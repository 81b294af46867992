/** Timers for simulated things: repeating with jitter, and all stoppable at once. */
export class Schedule {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** After stopAll(), nothing runs again, not even a loop whose callback was running. */
  private stopped = false;

  /** Runs `fn` every `ms` (±10 %), first after a random share of `ms` so a fleet does not beat in step. */
  every(ms: number, fn: () => unknown): () => void {
    let timer: NodeJS.Timeout;
    const next = (delay: number) => {
      timer = setTimeout(() => {
        this.timers.delete(timer);
        void Promise.resolve()
          .then(fn)
          .catch(() => undefined)
          .finally(() => {
            if (!stopped && !this.stopped) next(ms * (0.9 + Math.random() * 0.2));
          });
      }, delay);
      this.timers.add(timer);
    };
    let stopped = false;
    if (this.stopped) return () => undefined;
    next(Math.random() * ms);
    return () => {
      stopped = true;
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  after(ms: number, fn: () => unknown): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void Promise.resolve().then(fn).catch(() => undefined);
    }, ms);
    this.timers.add(timer);
  }

  /** Waits `ms` on this schedule: a pause that stopAll() ends for good (it never resolves). */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  stopAll(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
