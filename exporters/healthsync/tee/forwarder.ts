/**
 * Delivers the spool to the upstream receiver, one payload at a time in the
 * order received (so in order per sub stream), each body byte for byte.
 * The intake never waits on this: it appends to the spool and wakes us.
 *
 * A payload leaves the spool only after upstream answered 2xx, so delivery
 * is at least once: a crash between upstream's answer and the delete sends
 * that one payload again after the restart. Upstream answering 400, 413,
 * 415 or 422 says this payload will never be taken: it is dropped and
 * counted, so that one payload cannot block all the others. Anything else
 * (no connection, a timeout, 5xx, 401/403/404 from a misconfiguration,
 * 408, 429) is retried with exponential backoff. Redirects are not followed:
 * fetch would turn a 301/302/303 into a GET without the body, and a 200 at
 * the end of it (a login page, http → https) would delete an undelivered
 * payload; a 3xx is a retried failure whose Location is logged, so that
 * `tee.url` can be corrected.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Spool, SpooledPayload } from './spool.js';

export const FAILURE_REASONS = ['connection', 'timeout', 'redirect', 'http_4xx', 'http_5xx'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const NEVER_TAKEN: ReadonlySet<number> = new Set([400, 413, 415, 422]);

export interface ForwarderOptions {
  spool: Spool;
  url: string;
  /** Sent as the api_key query parameter when set. */
  apiKey?: string;
  timeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  clock: Clock;
  log: Logger;
}

export class TeeForwarder {
  readonly failures = new Map<FailureReason, number>();
  /** Payloads upstream refused for good, by status. */
  readonly dropped = new Map<number, number>();
  forwarded = 0;
  lastSuccessAt: number | undefined;

  private readonly target: URL;
  private running: Promise<void> | undefined;
  private stopped = true;
  private backoffMs: number;
  private wakeBackoff: (() => void) | undefined;
  private inFlight: AbortController | undefined;

  constructor(private readonly opts: ForwarderOptions) {
    this.target = new URL(opts.url);
    if (opts.apiKey) this.target.searchParams.set('api_key', opts.apiKey);
    this.backoffMs = opts.backoffInitialMs;
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** New payloads are waiting; a no-op while delivering or backing off. */
  wake(): void {
    if (this.stopped || this.running) return;
    this.running = this.drain().then(
      () => {
        this.running = undefined;
        // A payload spooled while this drain was finishing would otherwise wait for the next one.
        if (!this.stopped && this.opts.spool.depth > 0) this.wake();
      },
      (err: unknown) => {
        this.running = undefined;
        this.opts.log.error({ err }, 'tee: delivery failed; it resumes when the next payload arrives');
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.inFlight?.abort();
    this.wakeBackoff?.();
    await this.running;
  }

  private async drain(): Promise<void> {
    for (let payload = this.opts.spool.peek(); payload && !this.stopped; payload = this.opts.spool.peek()) {
      if (await this.deliver(payload)) {
        this.backoffMs = this.opts.backoffInitialMs;
        continue;
      }
      if (this.stopped) return;
      await this.pause(this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, this.opts.backoffMaxMs);
    }
  }

  /** True if the payload left the spool (delivered or dropped for good). */
  private async deliver(payload: SpooledPayload): Promise<boolean> {
    const { spool, log, clock } = this.opts;
    this.inFlight = new AbortController();
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    let status: number;
    let location: string | null = null;
    try {
      const response = await fetch(this.target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload.body,
        signal: AbortSignal.any([this.inFlight.signal, timeout]),
        redirect: 'manual',
      });
      status = response.status;
      location = response.headers.get('location');
      await response.body?.cancel();
    } catch (err) {
      if (this.stopped) return false;
      const reason: FailureReason = timeout.aborted ? 'timeout' : 'connection';
      this.count(reason);
      log.warn({ reason, err: (err as Error).cause ?? (err as Error).message, spooled: spool.depth }, 'tee: upstream not reachable; will retry');
      return false;
    } finally {
      this.inFlight = undefined;
    }
    if (status >= 200 && status < 300) {
      spool.delete(payload);
      this.forwarded += 1;
      this.lastSuccessAt = clock.now();
      return true;
    }
    if (NEVER_TAKEN.has(status)) {
      spool.delete(payload);
      this.dropped.set(status, (this.dropped.get(status) ?? 0) + 1);
      log.error({ status, seq: payload.seq, bytes: payload.body.length }, 'tee: upstream refused a payload for good; dropped it');
      return true;
    }
    if (status >= 300 && status < 400) {
      this.count('redirect');
      log.warn({ status, location, spooled: spool.depth }, 'tee: upstream redirects (not followed: the body would be lost); set tee.url to the final address; will retry');
      return false;
    }
    this.count(status >= 500 ? 'http_5xx' : 'http_4xx');
    log.warn({ status, spooled: spool.depth }, 'tee: upstream failed; will retry');
    return false;
  }

  private count(reason: FailureReason): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  /** Waits out a backoff; stop() cuts it short. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeBackoff = done;
    }).finally(() => {
      this.wakeBackoff = undefined;
    });
  }
}
