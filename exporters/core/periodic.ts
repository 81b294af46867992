/**
 * Work done on an interval (a poll, a scrape round, a tick) whose runs never
 * overlap: a run asked for while one is in flight shares it. Tests call
 * `runNow()` on an injected clock instead of waiting for the timer.
 */
import type { Logger } from './log.js';

export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly what: string,
    private readonly run: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Runs every `intervalMs`, the first time now when `immediately`. */
  start(intervalMs: number, immediately = false): void {
    const runLogged = () => void this.runNow().catch((err: unknown) => this.log.error({ err }, `${this.what} failed`));
    if (immediately) runLogged();
    this.timer = setInterval(runLogged, intervalMs);
  }

  /** One run now, or the one in flight. */
  runNow(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the timer and waits for a run in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}

/** How often a model is told that time has passed (deadlines, timeouts, forgetting). */
export const MODEL_TICK_MS = 1000;

/** A model's clock tick: time passes in the model, then what changed is committed. Start it with MODEL_TICK_MS. */
export function modelTicks(tick: () => void, commit: () => Promise<void>, log: Logger): Periodic {
  return new Periodic(
    'tick',
    async () => {
      tick();
      await commit();
    },
    log,
  );
}
