/**
 * Follows Butler log files as they grow. Each poll reads what was appended
 * since the last one, up to the last complete line, and hands its facts to
 * the model together with the new read position, so both are committed at
 * once: after a `kill -9` the next run resumes exactly after the last line
 * applied, neither losing nor repeating one.
 *
 * A file seen for the first time is followed from its end (its history is
 * not replayed). A file replaced (another inode) or truncated is read again
 * from its start. Lines that are not Butler's are counted
 * (`invalid_log_line`), logged and skipped.
 */
import { open, stat } from 'node:fs/promises';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { Periodic } from '../../core/periodic.js';
import type { Rejections } from '../../core/self-metrics.js';
import type { ButlerObservation } from '../observations.js';
import { LogLineError, logObservation, parseLogLine } from './log-line.js';

export interface LogPosition {
  ino: number;
  offset: number;
}

export interface FollowedLog {
  path: string;
  /** The target whose log it is (host:port). */
  instance: string;
}

export interface LogFollowerOptions {
  files: readonly FollowedLog[];
  /** Positions committed by an earlier run, by path. */
  positions: ReadonlyMap<string, LogPosition>;
  clock: Clock;
  log: Logger;
  rejections: Rejections;
  /** Applies the observations and commits them with the new position. */
  ingest: (observations: ButlerObservation[], path: string, position: LogPosition) => Promise<void>;
}

/** Bytes read per file per poll; a longer run without a newline is skipped. */
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

export class LogFollower {
  private readonly positions: Map<string, LogPosition>;
  private readonly polls: Periodic;

  constructor(private readonly opts: LogFollowerOptions) {
    this.positions = new Map(opts.positions);
    this.polls = new Periodic('log poll', () => this.pollAll(), opts.log);
  }

  start(pollMs: number): void {
    this.polls.start(pollMs);
  }

  stop(): Promise<void> {
    return this.polls.stop();
  }

  /** Reads every file's new lines now; overlapping calls share the poll in flight. */
  poll(): Promise<void> {
    return this.polls.runNow();
  }

  private async pollAll(): Promise<void> {
    for (const file of this.opts.files) {
      try {
        await this.follow(file);
      } catch (err) {
        this.opts.log.warn({ err, path: file.path }, 'cannot read the Butler log; will try again');
      }
    }
  }

  private async follow(file: FollowedLog): Promise<void> {
    let info;
    try {
      info = await stat(file.path);
    } catch {
      return; // Not there yet, or being rotated: the next poll looks again.
    }
    const known = this.positions.get(file.path);
    let offset: number;
    if (!known) {
      offset = info.size;
      // Where following starts, even if the commit below fails: lines written after it are not history.
      this.positions.set(file.path, { ino: info.ino, offset });
    } else if (known.ino !== info.ino || info.size < known.offset) offset = 0;
    else offset = known.offset;
    if (known && known.ino === info.ino && offset === info.size) return;

    const chunk = await this.read(file.path, offset, Math.min(info.size - offset, MAX_CHUNK_BYTES));
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    let consumed = lastNewline + 1;
    const observations: ButlerObservation[] = [];
    if (lastNewline >= 0) {
      observations.push(...this.observe(chunk.subarray(0, lastNewline).toString('utf8'), file));
    } else if (chunk.length === MAX_CHUNK_BYTES) {
      this.reject(file, `over ${MAX_CHUNK_BYTES} bytes without a line end; skipped`);
      consumed = chunk.length;
    }
    const position = { ino: info.ino, offset: offset + consumed };
    await this.opts.ingest(observations, file.path, position);
    // Only once committed: after a failed commit the next poll reads the same lines again.
    this.positions.set(file.path, position);
  }

  private observe(text: string, file: FollowedLog): ButlerObservation[] {
    const now = this.opts.clock.now();
    const out: ButlerObservation[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const fact = parseLogLine(line);
        if (fact) out.push(logObservation(fact, file.instance, now));
      } catch (err) {
        if (!(err instanceof LogLineError)) throw err;
        this.reject(file, err.message);
      }
    }
    return out;
  }

  private reject(file: FollowedLog, message: string): void {
    this.opts.rejections.count('invalid_log_line');
    this.opts.log.warn({ path: file.path, err: message }, 'skipped a line of the Butler log');
  }

  private async read(path: string, offset: number, length: number): Promise<Buffer> {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
}
