/**
 * The model's state: streams, their sub streams and check states, and the
 * bookkeeping every change goes through: the render version the view caches
 * by, the change log the store is fed from, and the check state budget that
 * bounds memory. The consistency rules (consistency/…) change state only
 * through these methods.
 */
import type { EntityVersions } from '../core/entity-versions.js';
import type { StoreChange } from '../core/store.js';
import type { Checkpoint } from './observations.js';
import type { ConsistencyModel, ErrorCode, Health } from './protocol.js';

export const COLLECTIONS = {
  streams: 'streams',
  subStreams: 'substreams',
  checkStates: 'check_states',
  /** Check states of open snapshots, not yet applied. */
  snapshotStates: 'snapshot_states',
  /** TRANSACTIONAL_INCREMENTS creates refused by the budget, so their deletes are not the source's error. */
  refusedStates: 'refused_check_states',
} as const;

export const subStreamKey = (urn: string, id: string) => JSON.stringify([urn, id]);
export const checkStateKey = (urn: string, id: string, checkStateId: string) => JSON.stringify([urn, id, checkStateId]);

/** What changed since the store last heard; a later write of a key replaces an earlier one. */
export class ChangeLog {
  private readonly changes = new Map<string, StoreChange>();

  put(collection: string, key: string, value: unknown): void {
    this.changes.set(`${collection}\u0000${key}`, { collection, key, value });
  }

  take(): StoreChange[] {
    const out = [...this.changes.values()];
    this.changes.clear();
    return out;
  }
}

/**
 * How many check states may be held, in all: each id a sub stream holds costs
 * one, whether applied, in the open snapshot, or both.
 */
export interface CheckStateBudget {
  used: number;
  readonly max: number;
  /** Check states not kept because the budget was spent. */
  refused: number;
  /** Refused ids remembered (SubStream.refusedIds), at most `max`, so that memory stays bounded. */
  refusedIds: number;
}

/** What every stream and sub stream reports its changes to. */
export interface Bookkeeping {
  readonly changes: ChangeLog;
  readonly versions: EntityVersions;
  readonly budget: CheckStateBudget;
}

export interface StreamRecord {
  urn: string;
  /** Fixed by the first message that named the stream. */
  model: ConsistencyModel;
  /** The last message that named the stream; a stream left without sub streams is forgotten from here. */
  lastSeenAt: number;
  messages: Partial<Record<ConsistencyModel, number>>;
  /** Occurrences of each error on any of the stream's sub streams. */
  errors: Partial<Record<ErrorCode, number>>;
  expired: number;
}

export interface SubStreamRecord {
  urn: string;
  id: string;
  /**
   * When a setup message (start_snapshot, expiry, any increment) established
   * it; undefined while only errors are known about it ("errors for
   * non-existing sub streams"), and again after it expired.
   */
  setUpAt?: number;
  repeatMs?: number;
  expiryMs?: number;
  /** The last message that named this sub stream, applied or not. */
  lastSeenAt: number;
  /** The last message whose data was applied. */
  lastDataAt?: number;
  /** The last complete data: a stopped snapshot, a state set, an increment. */
  lastCompleteAt?: number;
  /** REPEAT_SNAPSHOTS: the open snapshot; its check states are pending. */
  snapshot?: { openedAt: number; transformFailed: boolean };
  /** TRANSACTIONAL_INCREMENTS: the last checkpoint applied. */
  checkpoint?: Checkpoint;
  /** Active errors: code → since when (ms). */
  errors: Partial<Record<ErrorCode, number>>;
}

export interface CheckStateRecord {
  h: Health;
  /** When last observed (ms); REPEAT_STATES expires each state on its own. */
  at: number;
}

export class Stream {
  readonly subStreams = new Map<string, SubStream>();
  /** The view's entity key. */
  readonly entityKey: string;

  constructor(
    readonly record: StreamRecord,
    private readonly books: Bookkeeping,
  ) {
    this.entityKey = `stream\u0000${record.urn}`;
    books.versions.bump(this.entityKey);
  }

  get urn(): string {
    return this.record.urn;
  }

  /** The render version: from the one rising counter, so a re-created stream never meets its old cached lines. */
  get version(): number {
    return this.books.versions.get(this.entityKey);
  }

  touch(): void {
    this.books.versions.bump(this.entityKey);
    this.books.changes.put(COLLECTIONS.streams, this.record.urn, this.record);
  }

  /** Removes the record and its render version (its sub streams are removed first). */
  forgetRecord(): void {
    this.books.versions.delete(this.entityKey);
    this.books.changes.put(COLLECTIONS.streams, this.record.urn, undefined);
  }

  countError(code: ErrorCode): void {
    this.record.errors[code] = (this.record.errors[code] ?? 0) + 1;
    this.touch();
  }

  countMessage(model: ConsistencyModel): void {
    this.record.messages[model] = (this.record.messages[model] ?? 0) + 1;
    this.touch();
  }

  setUpCount(): number {
    let n = 0;
    for (const sub of this.subStreams.values()) if (sub.isSetUp) n += 1;
    return n;
  }
}

export class SubStream {
  readonly key: string;
  /** The view's entity key. */
  readonly entityKey: string;
  /** Applied check states. */
  readonly states = new Map<string, CheckStateRecord>();
  /** Check states of the open snapshot. */
  readonly pending = new Map<string, Health>();
  /** TRANSACTIONAL_INCREMENTS: ids whose create the budget refused; a delete of one is no error of the source. */
  readonly refusedIds = new Set<string>();
  private readonly budget: CheckStateBudget;
  private readonly changes: ChangeLog;

  constructor(
    readonly stream: Stream,
    readonly record: SubStreamRecord,
    private readonly books: Bookkeeping,
  ) {
    this.key = subStreamKey(record.urn, record.id);
    this.entityKey = `sub\u0000${this.key}`;
    this.budget = books.budget;
    this.changes = books.changes;
    books.versions.bump(this.entityKey);
  }

  get isSetUp(): boolean {
    return this.record.setUpAt !== undefined;
  }

  /** The render version: from the one rising counter, so a re-created sub stream never meets its old cached lines. */
  get version(): number {
    return this.books.versions.get(this.entityKey);
  }

  /** Bumps the render version and queues the record for the store. */
  touch(): void {
    this.books.versions.bump(this.entityKey);
    this.changes.put(COLLECTIONS.subStreams, this.key, this.record);
  }

  /** Established by a setup message: the errors about it not existing end. */
  setUp(at: number): void {
    if (this.isSetUp) return;
    this.record.setUpAt = at;
    this.clear('StreamMissingSubStream');
    this.clear('SubStreamExpired');
  }

  has(code: ErrorCode): boolean {
    return this.record.errors[code] !== undefined;
  }

  /** An occurrence: counted every time, active from the first until cleared. */
  raise(code: ErrorCode, at: number): void {
    this.record.errors[code] ??= at;
    this.stream.countError(code);
  }

  clear(code: ErrorCode): void {
    delete this.record.errors[code];
  }

  clearAll(): void {
    this.record.errors = {};
  }

  /** Creates or updates an applied check state; false if a new one was not kept because the budget is spent. */
  putState(id: string, health: Health, at: number): boolean {
    const existing = this.states.get(id);
    if (existing) {
      existing.h = health;
      existing.at = at;
    } else {
      if (!this.pending.has(id) && !this.spend()) return false;
      this.states.set(id, { h: health, at });
    }
    this.changes.put(COLLECTIONS.checkStates, this.stateKey(id), this.states.get(id));
    return true;
  }

  /** Deletes an applied check state; false if there was none. */
  deleteState(id: string): boolean {
    if (!this.states.delete(id)) return false;
    if (!this.pending.has(id)) this.budget.used -= 1;
    this.changes.put(COLLECTIONS.checkStates, this.stateKey(id), undefined);
    return true;
  }

  /**
   * Adds a check state to the open snapshot. An id already held (applied or
   * pending) costs nothing more, so a resent snapshot is never refused what
   * it already has; only a new id can be refused, and that is never an
   * applied one, so closing the snapshot cannot delete a state it holds.
   */
  putPending(id: string, health: Health): void {
    if (!this.states.has(id) && !this.pending.has(id) && !this.spend()) return;
    this.pending.set(id, health);
    this.changes.put(COLLECTIONS.snapshotStates, this.stateKey(id), { h: health });
  }

  dropPending(): void {
    for (const id of this.pending.keys()) {
      if (!this.states.has(id)) this.budget.used -= 1;
      this.changes.put(COLLECTIONS.snapshotStates, this.stateKey(id), undefined);
    }
    this.pending.clear();
  }

  /**
   * The closed snapshot becomes the applied set: its states are created or
   * updated, and states it does not hold are deleted.
   */
  applyPending(at: number): void {
    for (const id of [...this.states.keys()]) if (!this.pending.has(id)) this.deleteState(id);
    // Every pending id is already paid for, so none is refused here.
    for (const [id, health] of this.pending) {
      if (this.states.get(id)?.h !== health) this.putState(id, health, at);
    }
    this.dropPending();
  }

  /** Remembers an id whose create was refused, while fewer than `max` are remembered. */
  rememberRefused(id: string): void {
    if (this.refusedIds.has(id) || this.budget.refusedIds >= this.budget.max) return;
    this.refusedIds.add(id);
    this.budget.refusedIds += 1;
    this.changes.put(COLLECTIONS.refusedStates, this.stateKey(id), 1);
  }

  /** Forgets a refused id (deleted, or kept after all); false if it was not remembered. */
  forgetRefused(id: string): boolean {
    if (!this.refusedIds.delete(id)) return false;
    this.budget.refusedIds -= 1;
    this.changes.put(COLLECTIONS.refusedStates, this.stateKey(id), undefined);
    return true;
  }

  /** Forgets all data (expiry, deletion); the record itself stays for the caller to decide. */
  dropData(): void {
    for (const id of [...this.states.keys()]) this.deleteState(id);
    this.dropPending();
    for (const id of [...this.refusedIds]) this.forgetRefused(id);
    const r = this.record;
    r.setUpAt = r.repeatMs = r.expiryMs = r.lastDataAt = r.lastCompleteAt = r.snapshot = r.checkpoint = undefined;
  }

  /** Removes the record and its render version (after dropData). */
  forgetRecord(): void {
    this.books.versions.delete(this.entityKey);
    this.changes.put(COLLECTIONS.subStreams, this.key, undefined);
  }

  private stateKey(id: string): string {
    return checkStateKey(this.record.urn, this.record.id, id);
  }

  private spend(): boolean {
    if (this.budget.used >= this.budget.max) {
      this.budget.refused += 1;
      return false;
    }
    this.budget.used += 1;
    return true;
  }
}
