/**
 * What every simulated health source shares: a loop that runs one cycle (a
 * resend: one or a few payloads) every period, which churn and faults can
 * stop, slow down or hold. Cycles of one sender never overlap, so a
 * snapshot spanning several messages is never interleaved with the next.
 */
import type { Logger } from '../../exporters/core/log.js';
import type { Schedule } from '../lib/schedule.js';
import type { IntakeBody } from './format.js';
import type { IntakeClient } from './intake-client.js';

/** What the senders of one simulator share. */
export interface SenderContext {
  client: IntakeClient;
  schedule: Schedule;
  log: Logger;
  /** How often the REPEAT_* sources resend, in ms. */
  sendMs: number;
  /** What they declare: `repeat_interval_s`, and the hosts' `expiry_interval_s`. */
  repeatS: number;
  expiryS: number;
  healthChangeShare: number;
  perMessage: number;
  /** Told after every cycle, so a test can wait for a round of messages. */
  onCycle(): void;
}

export abstract class Sender {
  /** The fault (or `churn`) holding this sender; nothing else changes it meanwhile. */
  heldBy: string | undefined;
  /** Cycles begun and finished. */
  begun = 0;
  finished = 0;
  /** True while looping at its regular period (not stopped, not slowed by a fault). */
  regular = false;
  private stopLoop: (() => void) | undefined;
  /** Moves on at every halt, so a loop scheduled to begin later does not begin after it. */
  private generation = 0;
  private last: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    protected readonly ctx: SenderContext,
    private readonly periodMs: number,
  ) {}

  /** One cycle, now (after the one in flight, if any). */
  cycleNow(): Promise<void> {
    this.last = this.last.then(async () => {
      this.begun += 1;
      try {
        await this.cycle();
      } catch (err) {
        this.ctx.log.warn({ sender: this.name, err: (err as Error).message }, 'simulated health source failed a cycle');
      } finally {
        this.finished += 1;
        this.ctx.onCycle();
      }
    });
    return this.last;
  }

  /** Loops at the regular period, or at a fault's own; with `afterMs`, the loop begins that much later. */
  run(periodMs = this.periodMs, afterMs = 0): void {
    this.halt();
    const generation = this.generation;
    const begin = () => {
      if (generation === this.generation) this.stopLoop = this.ctx.schedule.every(periodMs, () => this.cycleNow());
    };
    if (afterMs > 0) this.ctx.schedule.after(afterMs, begin);
    else begin();
    this.regular = periodMs === this.periodMs;
  }

  halt(): void {
    this.generation += 1;
    this.stopLoop?.();
    this.stopLoop = undefined;
    this.regular = false;
  }

  /** Back to the regular period, sending now rather than somewhere within it. */
  async resume(): Promise<void> {
    await this.cycleNow();
    this.run();
  }

  /** Resolves when the cycle in flight (if any) is done. */
  drain(): Promise<void> {
    return this.last;
  }

  protected abstract cycle(): Promise<void>;
}

/** Sends payloads in order; stops at the first one not accepted (the rest make no sense without it). */
export async function sendInOrder(ctx: SenderContext, bodies: readonly IntakeBody[]): Promise<boolean> {
  for (const body of bodies) {
    const status = await ctx.client.post(body);
    if (status !== 200) {
      ctx.log.debug({ status, host: body.internalHostname }, 'the intake did not accept a health payload; resending next cycle');
      return false;
    }
  }
  return true;
}
