/**
 * The model's state: streams, their sub streams and check states, and the
 * bookkeeping every change goes through: the render version the view caches
 * by, the change log the store is fed from, and the check state budget that
 * bounds memory. The consistency rules (consistency/…) change state only
 * through these methods.
 */
import type { StoreChange } from '../core/store.js';
import type { Checkpoint } from './observations.js';
import type { ConsistencyModel, ErrorCode, Health } from './protocol.js';

export const COLLECTIONS = {
  streams: 'streams',
  subStreams: 'substreams',
  checkStates: 'check_states',
  /** Check states of open snapshots, not yet applied. */
  snapshotStates: 'snapshot_states',
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

/** How many check states (applied and in open snapshots) may be held, in all. */
export interface CheckStateBudget {
  used: number;
  readonly max: number;
  /** Check states not kept because the budget was spent. */
  refused: number;
}

export interface StreamRecord {
  urn: string;
  /** Fixed by the first message that named the stream. */
  model: ConsistencyModel;
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
  version = 1;

  constructor(
    readonly record: StreamRecord,
    private readonly changes: ChangeLog,
  ) {}

  get urn(): string {
    return this.record.urn;
  }

  touch(): void {
    this.version += 1;
    this.changes.put(COLLECTIONS.streams, this.record.urn, this.record);
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
  /** Applied check states. */
  readonly states = new Map<string, CheckStateRecord>();
  /** Check states of the open snapshot. */
  readonly pending = new Map<string, Health>();
  version = 1;

  constructor(
    readonly stream: Stream,
    readonly record: SubStreamRecord,
    private readonly budget: CheckStateBudget,
    private readonly changes: ChangeLog,
  ) {
    this.key = subStreamKey(record.urn, record.id);
  }

  get isSetUp(): boolean {
    return this.record.setUpAt !== undefined;
  }

  /** Bumps the render version and queues the record for the store. */
  touch(): void {
    this.version += 1;
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

  /** Creates or updates an applied check state; a new one is not kept if the budget is spent. */
  putState(id: string, health: Health, at: number): void {
    const existing = this.states.get(id);
    if (existing) {
      existing.h = health;
      existing.at = at;
    } else {
      if (!this.spend()) return;
      this.states.set(id, { h: health, at });
    }
    this.changes.put(COLLECTIONS.checkStates, checkStateKey(this.record.urn, this.record.id, id), this.states.get(id));
  }

  /** Deletes an applied check state; false if there was none. */
  deleteState(id: string): boolean {
    if (!this.states.delete(id)) return false;
    this.budget.used -= 1;
    this.changes.put(COLLECTIONS.checkStates, checkStateKey(this.record.urn, this.record.id, id), undefined);
    return true;
  }

  /** Adds a check state to the open snapshot; a new one is not kept if the budget is spent. */
  putPending(id: string, health: Health): void {
    if (!this.pending.has(id) && !this.spend()) return;
    this.pending.set(id, health);
    this.changes.put(COLLECTIONS.snapshotStates, checkStateKey(this.record.urn, this.record.id, id), { h: health });
  }

  dropPending(): void {
    for (const id of this.pending.keys()) {
      this.changes.put(COLLECTIONS.snapshotStates, checkStateKey(this.record.urn, this.record.id, id), undefined);
    }
    this.budget.used -= this.pending.size;
    this.pending.clear();
  }

  /**
   * The closed snapshot becomes the applied set: its states are created or
   * updated, and states it does not hold are deleted.
   */
  applyPending(at: number): void {
    for (const id of [...this.states.keys()]) if (!this.pending.has(id)) this.deleteState(id);
    const pending = [...this.pending];
    this.dropPending();
    for (const [id, health] of pending) {
      if (this.states.get(id)?.h !== health) this.putState(id, health, at);
    }
  }

  /** Forgets all data (expiry, deletion); the record itself stays for the caller to decide. */
  dropData(): void {
    for (const id of [...this.states.keys()]) this.deleteState(id);
    this.dropPending();
    const r = this.record;
    r.setUpAt = r.repeatMs = r.expiryMs = r.lastDataAt = r.lastCompleteAt = r.snapshot = r.checkpoint = undefined;
  }

  /** Removes the record from the store (after dropData). */
  forgetRecord(): void {
    this.changes.put(COLLECTIONS.subStreams, this.key, undefined);
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
