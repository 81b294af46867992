/**
 * A sequence of timed steps running in the background (a graceful restart,
 * a crash loop) that a clear or a stop can cut short: once cancelled, the
 * pending `sleep` resolves at once, with false, and so does every later one.
 */
import type { Schedule } from '../lib/schedule.js';

export class Steps {
  /** Settles when the sequence has returned (after its step in flight, if cancelled). */
  done: Promise<void> = Promise.resolve();
  private cancelled = false;
  private wake: (() => void) | undefined;

  constructor(private readonly schedule: Schedule) {}

  /** True after `seconds`; false if cancelled before or meanwhile. */
  async sleep(seconds: number): Promise<boolean> {
    if (this.cancelled) return false;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.schedule.after(seconds * 1000, resolve);
    });
    this.wake = undefined;
    return !this.cancelled;
  }

  cancel(): void {
    this.cancelled = true;
    this.wake?.();
  }
}
