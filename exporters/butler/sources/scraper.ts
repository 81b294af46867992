/**
 * Scrapes each Butler's /metrics on an interval, with a timeout covering the
 * answer and its body, and turns the result into one observation per
 * target: its snapshot, or why it failed. A failure marks the target down
 * and leaves everything derived from it as it was; an exposition that does
 * not parse is also counted as refused input (`invalid_exposition`).
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { Rejections } from '../../core/self-metrics.js';
import { ExpositionError, parseExposition } from '../exposition-parser.js';
import type { ButlerObservation, ScrapeFailure } from '../observations.js';
import { butlerSnapshot, NotButlerError } from './butler-metrics.js';
import type { Target } from './targets.js';

export interface ScraperOptions {
  timeoutMs: number;
  maxBodyBytes: number;
  concurrency: number;
  clock: Clock;
  log: Logger;
  rejections: Rejections;
  ingest: (obs: ButlerObservation) => Promise<void>;
}

class ScrapeError extends Error {
  constructor(
    readonly reason: ScrapeFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The body as text, refused once it passes `max` bytes. */
async function readCapped(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await response.body?.cancel();
    throw new ScrapeError('too_large', `the body is ${declared} bytes, over max_body_bytes ${max}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += chunk.length;
    if (total > max) throw new ScrapeError('too_large', `the body passed max_body_bytes ${max}`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || (err.cause instanceof Error && err.cause.name === 'TimeoutError'));
}

export class Scraper {
  private targets: Target[] = [];

  constructor(private readonly opts: ScraperOptions) {}

  setTargets(targets: Target[]): void {
    this.targets = targets;
  }

  /** One round over every target, a few at a time. */
  async scrapeAll(): Promise<void> {
    const queue = [...this.targets];
    const worker = async () => {
      for (let target = queue.shift(); target; target = queue.shift()) {
        const obs = await this.scrape(target);
        await this.opts.ingest(obs).catch((err: unknown) => this.opts.log.error({ err, instance: target.instance }, 'could not record a scrape'));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, queue.length) }, worker));
  }

  /** Scrapes one target; never throws. */
  async scrape(target: Target): Promise<ButlerObservation> {
    const { clock, log } = this.opts;
    try {
      const snapshot = butlerSnapshot(parseExposition(await this.fetchText(target)));
      return { kind: 'scrape', at: clock.now(), instance: target.instance, snapshot };
    } catch (err) {
      let reason: ScrapeFailure;
      if (err instanceof ScrapeError) reason = err.reason;
      else if (err instanceof ExpositionError || err instanceof NotButlerError) reason = 'invalid_exposition';
      else reason = isTimeout(err) ? 'timeout' : 'unreachable';
      if (reason === 'invalid_exposition') this.opts.rejections.count('invalid_exposition');
      const message = reason === 'timeout' ? `no complete answer within ${this.opts.timeoutMs} ms` : (err as Error).message;
      log.warn({ instance: target.instance, url: target.url, reason, err: message }, 'Butler scrape failed; keeping its last derived values');
      return { kind: 'scrape_failed', at: clock.now(), instance: target.instance, reason };
    }
  }

  private async fetchText(target: Target): Promise<string> {
    const response = await fetch(target.url, {
      headers: { accept: 'text/plain;version=0.0.4' },
      signal: AbortSignal.timeout(this.opts.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new ScrapeError('http_status', `GET ${target.url} answered ${response.status}`);
    }
    return readCapped(response, this.opts.maxBodyBytes);
  }
}
