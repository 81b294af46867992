/**
 * The health synchronisation model: streams (one consistency model each),
 * their sub streams and check states, the errors active on each, and the
 * passing of time (automatic stops, lateness, expiry). Pure and
 * deterministic: observations and `tick(now)` are its only inputs.
 *
 * Every timer runs from the later of its event and the start of this run:
 * silence while fleetwatch itself was down is not the source's silence.
 */
import { EntityVersions } from '../core/entity-versions.js';
import type { StoreChange } from '../core/store.js';
import { applyRepeatSnapshots, tickRepeatSnapshots } from './consistency/repeat-snapshots.js';
import { applyRepeatStates, tickRepeatStates } from './consistency/repeat-states.js';
import { applyTransactionalIncrements } from './consistency/transactional-increments.js';
import type { HealthMessage, HealthsyncObservation } from './observations.js';
import type { ConsistencyModel, Health } from './protocol.js';
import {
  ChangeLog,
  Stream,
  SubStream,
  type Bookkeeping,
  type CheckStateBudget,
  type CheckStateRecord,
  type StreamRecord,
  type SubStreamRecord,
} from './state.js';

export interface HealthModelOptions {
  /** Late after this many repeat intervals without complete data. */
  lateTolerance: number;
  /**
   * A sub stream known only by its errors (never set up, or expired), and a
   * stream left without sub streams, is forgotten after this long without a message.
   */
  forgetUnknownAfterMs: number;
  maxStreams: number;
  /** Sub streams of all streams, set up or known only by their errors. */
  maxSubStreams: number;
  /** Check states of all sub streams, applied or in open snapshots. */
  maxCheckStates: number;
}

/** Everything the store holds, as loaded. */
export interface StoredState {
  streams: Array<[string, StreamRecord]>;
  subStreams: Array<[string, SubStreamRecord]>;
  checkStates: Array<[string, CheckStateRecord]>;
  snapshotStates: Array<[string, { h: Health }]>;
  refusedStates: Array<[string, unknown]>;
}

const RULES: Record<ConsistencyModel, (sub: SubStream, msg: HealthMessage) => void> = {
  REPEAT_SNAPSHOTS: applyRepeatSnapshots,
  REPEAT_STATES: applyRepeatStates,
  TRANSACTIONAL_INCREMENTS: applyTransactionalIncrements,
};

export class HealthModel {
  private readonly streamsByUrn = new Map<string, Stream>();
  private readonly books: Bookkeeping;
  private subStreamCount = 0;
  readonly budget: CheckStateBudget;
  /** Health messages not tracked because a limit was reached. */
  readonly untracked = { streams: 0, substreams: 0 };

  constructor(
    private readonly opts: HealthModelOptions,
    private readonly startedAt: number,
  ) {
    this.budget = { used: 0, max: opts.maxCheckStates, refused: 0, refusedIds: 0 };
    this.books = { changes: new ChangeLog(), versions: new EntityVersions(), budget: this.budget };
  }

  /** Rebuilds the state from the store; limits do not apply to what was already accepted. */
  restore(stored: StoredState): void {
    for (const [, record] of stored.streams) {
      // Stored before streams had it: the forget timer runs from this run's start.
      record.lastSeenAt ??= this.startedAt;
      this.streamsByUrn.set(record.urn, new Stream(record, this.books));
    }
    for (const [, record] of stored.subStreams) {
      const stream = this.streamsByUrn.get(record.urn);
      if (!stream) continue;
      stream.subStreams.set(record.id, new SubStream(stream, record, this.books));
      this.subStreamCount += 1;
    }
    const owner = (key: string) => {
      const [urn, id, checkStateId] = JSON.parse(key) as [string, string, string];
      const sub = this.streamsByUrn.get(urn)?.subStreams.get(id);
      return sub ? { sub, checkStateId } : undefined;
    };
    for (const [key, state] of stored.checkStates) {
      const found = owner(key);
      if (!found) continue;
      found.sub.states.set(found.checkStateId, state);
      this.budget.used += 1;
    }
    for (const [key, state] of stored.snapshotStates) {
      const found = owner(key);
      if (!found) continue;
      found.sub.pending.set(found.checkStateId, state.h);
      // An id both applied and pending is held once.
      if (!found.sub.states.has(found.checkStateId)) this.budget.used += 1;
    }
    for (const [key] of stored.refusedStates) {
      const found = owner(key);
      if (!found) continue;
      found.sub.refusedIds.add(found.checkStateId);
      this.budget.refusedIds += 1;
    }
  }

  streams(): IterableIterator<Stream> {
    return this.streamsByUrn.values();
  }

  stream(urn: string): Stream | undefined {
    return this.streamsByUrn.get(urn);
  }

  subStream(urn: string, id = ''): SubStream | undefined {
    return this.streamsByUrn.get(urn)?.subStreams.get(id);
  }

  /** Applies one observation; `found` is false when an operator request names no known stream or sub stream. */
  apply(obs: HealthsyncObservation): { found: boolean } {
    switch (obs.kind) {
      case 'health':
        this.applyHealth(obs);
        return { found: true };
      case 'clear_errors':
        return { found: this.clearErrors(obs.urn, obs.subStreamId) };
      case 'delete_stream':
        return { found: this.deleteStream(obs.urn) };
    }
  }

  /** The passing of time: automatic stops, expired states and sub streams, lateness, forgetting. */
  tick(now: number): void {
    const forgettable = (lastSeenAt: number) => now - Math.max(lastSeenAt, this.startedAt) > this.opts.forgetUnknownAfterMs;
    for (const stream of [...this.streamsByUrn.values()]) {
      for (const sub of [...stream.subStreams.values()]) {
        if (!sub.isSetUp) {
          if (forgettable(sub.record.lastSeenAt)) this.removeSubStream(stream, sub);
          continue;
        }
        if (this.expire(stream, sub, now)) continue;
        let changed = false;
        if (stream.record.model === 'REPEAT_SNAPSHOTS') changed = tickRepeatSnapshots(sub, now, this.startedAt);
        if (stream.record.model === 'REPEAT_STATES') changed = tickRepeatStates(sub, now, this.startedAt);
        if (this.markLate(sub, now) || changed) sub.touch();
      }
      // Nothing left to show but counters; it would hold a stream slot for good.
      if (stream.subStreams.size === 0 && forgettable(stream.record.lastSeenAt)) this.deleteStream(stream.urn);
    }
  }

  /** What changed since the last call, for the store. */
  takeChanges(): StoreChange[] {
    return this.books.changes.take();
  }

  /** The time freshness is measured from: the last complete data, else the setup. */
  static freshSince(sub: SubStream): number | undefined {
    return sub.record.lastCompleteAt ?? sub.record.setUpAt;
  }

  private applyHealth(msg: HealthMessage): void {
    let stream = this.streamsByUrn.get(msg.urn);
    if (!stream) {
      if (this.streamsByUrn.size >= this.opts.maxStreams) {
        this.untracked.streams += 1;
        return;
      }
      // A new stream needs a sub stream too; without room it would only hold a stream slot.
      if (this.subStreamCount >= this.opts.maxSubStreams) {
        this.untracked.substreams += 1;
        return;
      }
      stream = this.createStream(msg);
    }
    stream.record.lastSeenAt = msg.at;
    stream.countMessage(msg.model);
    const sub = stream.subStreams.get(msg.subStreamId) ?? this.createSubStream(stream, msg);
    if (!sub) {
      this.untracked.substreams += 1;
      return;
    }
    sub.record.lastSeenAt = msg.at;
    if (msg.model !== stream.record.model) {
      // Not applied: the stream keeps the model it was created with.
      sub.raise('StreamConsistencyModelMismatch', msg.at);
    } else {
      sub.clear('StreamConsistencyModelMismatch');
      RULES[msg.model](sub, msg);
    }
    sub.touch();
  }

  private createStream(msg: HealthMessage): Stream {
    const stream = new Stream({ urn: msg.urn, model: msg.model, lastSeenAt: msg.at, messages: {}, errors: {}, expired: 0 }, this.books);
    this.streamsByUrn.set(msg.urn, stream);
    stream.touch();
    return stream;
  }

  private createSubStream(stream: Stream, msg: HealthMessage): SubStream | undefined {
    if (this.subStreamCount >= this.opts.maxSubStreams) return undefined;
    const sub = new SubStream(stream, { urn: msg.urn, id: msg.subStreamId, lastSeenAt: msg.at, errors: {} }, this.books);
    stream.subStreams.set(msg.subStreamId, sub);
    this.subStreamCount += 1;
    stream.touch();
    return sub;
  }

  /** No data for longer than the expiry interval: the data goes, the error stays until it comes back. */
  private expire(stream: Stream, sub: SubStream, now: number): boolean {
    const r = sub.record;
    if (!r.expiryMs || now - Math.max(r.lastDataAt ?? r.setUpAt!, this.startedAt) <= r.expiryMs) return false;
    sub.dropData();
    sub.clearAll();
    sub.raise('SubStreamExpired', now);
    r.lastSeenAt = now;
    sub.touch();
    stream.record.expired += 1;
    stream.touch();
    return true;
  }

  /** Raises SubStreamLateData once per late spell; complete data clears it. */
  private markLate(sub: SubStream, now: number): boolean {
    const r = sub.record;
    const since = HealthModel.freshSince(sub);
    if (r.repeatMs === undefined || since === undefined || sub.has('SubStreamLateData')) return false;
    if (now - Math.max(since, this.startedAt) <= r.repeatMs * this.opts.lateTolerance) return false;
    sub.raise('SubStreamLateData', now);
    return true;
  }

  private clearErrors(urn: string, subStreamId: string | undefined): boolean {
    const stream = this.streamsByUrn.get(urn);
    if (!stream) return false;
    const subs = subStreamId === undefined ? [...stream.subStreams.values()] : [stream.subStreams.get(subStreamId)].filter((s) => s !== undefined);
    if (subStreamId !== undefined && subs.length === 0) return false;
    for (const sub of subs) {
      sub.clearAll();
      // Known only by its errors: nothing is left of it.
      if (sub.isSetUp) sub.touch();
      else this.removeSubStream(stream, sub);
    }
    return true;
  }

  private deleteStream(urn: string): boolean {
    const stream = this.streamsByUrn.get(urn);
    if (!stream) return false;
    for (const sub of [...stream.subStreams.values()]) this.removeSubStream(stream, sub);
    this.streamsByUrn.delete(urn);
    stream.forgetRecord();
    return true;
  }

  private removeSubStream(stream: Stream, sub: SubStream): void {
    sub.dropData();
    sub.forgetRecord();
    stream.subStreams.delete(sub.record.id);
    this.subStreamCount -= 1;
    stream.touch();
  }

  /** Sub streams of all streams, set up or known only by their errors. */
  get subStreamTotal(): number {
    return this.subStreamCount;
  }
}
