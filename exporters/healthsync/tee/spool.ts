/**
 * The tee's on-disk spool: accepted payloads, raw bytes, first in first out,
 * in a SQLite file of its own (WAL, so an append survives `kill -9` once it
 * returns). Bounded in bytes; the caller refuses intake when it is full.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface SpooledPayload {
  seq: number;
  body: Buffer;
  receivedAt: number;
}

export class Spool {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly head: Database.Statement;
  private readonly headTime: Database.Statement;
  private readonly remove: Database.Statement;
  private payloads: number;
  private bytes: number;
  private oldest: number | undefined;

  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, received_at INTEGER NOT NULL, body BLOB NOT NULL)');
    this.insert = this.db.prepare('INSERT INTO spool (received_at, body) VALUES (?, ?)');
    this.head = this.db.prepare('SELECT seq, received_at AS receivedAt, body FROM spool ORDER BY seq LIMIT 1');
    this.headTime = this.db.prepare('SELECT received_at FROM spool ORDER BY seq LIMIT 1').pluck();
    this.remove = this.db.prepare('DELETE FROM spool WHERE seq = ?');
    const totals = this.db.prepare('SELECT count(*) AS n, coalesce(sum(length(body)), 0) AS bytes FROM spool').get() as { n: number; bytes: number };
    this.payloads = totals.n;
    this.bytes = totals.bytes;
    this.oldest = this.headTime.get() as number | undefined;
  }

  get depth(): number {
    return this.payloads;
  }

  get size(): number {
    return this.bytes;
  }

  /** When the oldest waiting payload was received (ms), if any waits. */
  get oldestReceivedAt(): number | undefined {
    return this.oldest;
  }

  hasRoomFor(length: number): boolean {
    return this.bytes + length <= this.maxBytes;
  }

  /** Durable when it returns. */
  append(body: Buffer, receivedAt: number): void {
    this.insert.run(receivedAt, body);
    this.payloads += 1;
    this.bytes += body.length;
    this.oldest ??= receivedAt;
  }

  peek(): SpooledPayload | undefined {
    return this.head.get() as SpooledPayload | undefined;
  }

  /** Removes a delivered (or dropped) payload. */
  delete(payload: SpooledPayload): void {
    if (this.remove.run(payload.seq).changes === 0) return;
    this.payloads -= 1;
    this.bytes -= payload.body.length;
    this.oldest = this.headTime.get() as number | undefined;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
