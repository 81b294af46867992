import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { SqliteStore } from '../core/store.js';
import { Harness } from '../../test/healthsync/harness.js';
import { checkState, deletion, EXAMPLE_URN, increment, manyStates, snapshot, states } from '../../test/healthsync/payloads.js';
import { tempDir } from '../../test/support/exporter.js';
import { COLLECTIONS } from './state.js';

const OTHER = 'urn:health:kubernetes:external-health';

async function roundTrip(h: Harness, startedAt: number): Promise<Harness> {
  const store = SqliteStore.open(tempDir(), 'healthsync');
  await store.commit(h.model.takeChanges());
  const restored = new Harness({}, new ManualClock(startedAt));
  restored.model.restore({
    streams: await store.load(COLLECTIONS.streams),
    subStreams: await store.load(COLLECTIONS.subStreams),
    checkStates: await store.load(COLLECTIONS.checkStates),
    snapshotStates: await store.load(COLLECTIONS.snapshotStates),
    refusedStates: await store.load(COLLECTIONS.refusedStates),
  });
  await store.close();
  return restored;
}

describe('streams', () => {
  it('StreamConsistencyModelMismatch: a message with another model is not applied; cleared by the next message with the stream model', () => {
    const h = new Harness();
    h.send(snapshot({ sub: 'a', start: { repeat: 60, expiry: 240 }, states: [checkState('x')], stop: true }));
    h.send(states({ sub: 'a', expiry: { repeat: 60, expiry: 240 }, states: [checkState('y')] }));
    expect(h.errors('a')).toEqual(['StreamConsistencyModelMismatch']);
    expect(h.states('a')).toEqual({ x: 'CLEAR' });
    expect(h.model.stream(EXAMPLE_URN)!.record.model).toBe('REPEAT_SNAPSHOTS');
    expect(h.model.stream(EXAMPLE_URN)!.record.messages).toEqual({ REPEAT_SNAPSHOTS: 1, REPEAT_STATES: 1 });
    h.send(snapshot({ sub: 'a', start: { repeat: 60, expiry: 240 }, states: [checkState('x')], stop: true }));
    expect(h.errors('a')).toEqual([]);
  });

  it('shows a mismatch on a sub stream that does not exist as an error of that sub stream only', () => {
    const h = new Harness();
    h.send(increment({ sub: 'p0', checkpoint: [1] }));
    h.send(snapshot({ sub: 'p1', start: { repeat: 60, expiry: 240 }, stop: true }));
    expect(h.errors('p1')).toEqual(['StreamConsistencyModelMismatch']);
    expect(h.model.subStream(EXAMPLE_URN, 'p1')!.isSetUp).toBe(false);
    expect(h.model.stream(EXAMPLE_URN)!.setUpCount()).toBe(1);
  });

  it('clear-errors ends every active error of the stream, and forgets sub streams known only by their errors', () => {
    const h = new Harness();
    h.send(increment({ sub: 'p0', checkpoint: [1] }), increment({ sub: 'p0', checkpoint: [3], previous: [2] }));
    h.send(increment({ sub: 'p1', checkpoint: [1], states: [{ checkStateId: 'ghost', delete: true }] }));
    h.send(snapshot({ sub: 'p2', start: { repeat: 60, expiry: 240 }, stop: true }));
    expect(h.errors('p0')).toEqual(['SubStreamInvalidCheckpoint']);
    expect(h.clearErrors()).toBe(true);
    expect(h.errors('p0')).toEqual([]);
    expect(h.errors('p1')).toEqual([]);
    expect(h.model.subStream(EXAMPLE_URN, 'p2')).toBeUndefined();
    expect(h.clearErrors(undefined, OTHER)).toBe(false);
    expect(h.clearErrors('nope')).toBe(false);
  });

  it('delete-stream removes the stream, its sub streams and check states', () => {
    const h = new Harness();
    h.send(states({ sub: 's', expiry: { repeat: 60, expiry: 600 }, states: manyStates(10) }));
    h.send(snapshot({ urn: OTHER, start: { repeat: 60 }, states: [checkState('k')], stop: true }));
    expect(h.model.apply({ kind: 'delete_stream', at: h.clock.now(), urn: EXAMPLE_URN }).found).toBe(true);
    expect(h.model.stream(EXAMPLE_URN)).toBeUndefined();
    expect(h.model.subStreamTotal).toBe(1);
    expect(h.model.budget.used).toBe(1);
    expect(h.model.apply({ kind: 'delete_stream', at: h.clock.now(), urn: EXAMPLE_URN }).found).toBe(false);
  });
});

describe('limits', () => {
  it('counts, and does not track, messages for streams or sub streams over the limits', () => {
    const h = new Harness({ maxStreams: 1, maxSubStreams: 2 });
    h.send(states({ sub: 'a', expiry: { repeat: 60, expiry: 600 } }), states({ sub: 'b', expiry: { repeat: 60, expiry: 600 } }));
    h.send(states({ sub: 'c', expiry: { repeat: 60, expiry: 600 } }));
    h.send(states({ urn: OTHER, expiry: { repeat: 60 } }));
    expect(h.model.untracked).toEqual({ streams: 1, substreams: 1 });
    expect(h.model.subStream(EXAMPLE_URN, 'c')).toBeUndefined();
    expect(h.model.stream(OTHER)).toBeUndefined();
    // Room again once a sub stream goes.
    h.advance(601);
    h.advance(3601);
    h.send(states({ sub: 'c', expiry: { repeat: 60, expiry: 600 } }));
    expect(h.model.subStream(EXAMPLE_URN, 'c')!.isSetUp).toBe(true);
  });

  it('holds at most limits.check_states, counting the ones it refuses', () => {
    const h = new Harness({ maxCheckStates: 5 });
    h.send(states({ sub: 'a', expiry: { repeat: 60, expiry: 600 }, states: manyStates(4, 'a') }));
    h.send(snapshot({ urn: OTHER, start: { repeat: 60 }, states: manyStates(3, 'b') }));
    expect(h.model.budget).toMatchObject({ used: 5, refused: 2 });
    h.send(snapshot({ urn: OTHER, stop: true }));
    expect(Object.keys(h.states(undefined, OTHER))).toEqual(['b-0']);
    // Updates of held states are never refused.
    h.send(states({ sub: 'a', states: manyStates(4, 'a') }));
    expect(h.model.budget).toMatchObject({ used: 5, refused: 2 });
  });

  it('does not charge a resent snapshot for the states it already holds, so near the limit it keeps them all', () => {
    const h = new Harness({ maxCheckStates: 6 });
    const full = () => h.send(snapshot({ start: { repeat: 60 }, states: manyStates(4), stop: true }));
    full();
    full();
    expect(Object.keys(h.states())).toEqual(['check-0', 'check-1', 'check-2', 'check-3']);
    // Over several messages too, with one new state: the snapshot holds 5 distinct ids.
    h.send(snapshot({ start: { repeat: 60 }, states: manyStates(3) }));
    h.send(snapshot({ states: [...manyStates(4), checkState('new')], stop: true }));
    expect(Object.keys(h.states())).toEqual(['check-0', 'check-1', 'check-2', 'check-3', 'new']);
    expect(h.model.budget).toMatchObject({ used: 5, refused: 0 });
    // A new id the budget refuses is left out; what the snapshot holds stays.
    h.send(snapshot({ start: { repeat: 60 }, states: [...manyStates(4), checkState('new'), checkState('x'), checkState('y')], stop: true }));
    expect(Object.keys(h.states())).toEqual(['check-0', 'check-1', 'check-2', 'check-3', 'new', 'x']);
    expect(h.model.budget).toMatchObject({ used: 6, refused: 1 });
  });

  it('does not blame the source when it deletes an increment our limit refused, also after a restart', async () => {
    const h = new Harness({ maxCheckStates: 1 });
    h.send(increment({ sub: 'p0', checkpoint: [1], states: [checkState('kept'), checkState('refused')] }));
    expect(h.states('p0')).toEqual({ kept: 'CLEAR' });
    expect(h.model.budget).toMatchObject({ used: 1, refused: 1 });
    const r = await roundTrip(h, h.clock.now());
    for (const m of [h, r]) {
      m.send(increment({ sub: 'p0', checkpoint: [2], previous: [1], states: [deletion('refused')] }));
      expect(m.errors('p0')).toEqual([]);
      // Remembered once: a second delete of it, like one of an id never sent, is unknown.
      m.send(increment({ sub: 'p0', checkpoint: [3], previous: [2], states: [deletion('refused')] }));
      expect(m.errors('p0')).toEqual(['SubStreamUnknownCheckState']);
    }
  });

  it('creates no stream it has no sub stream slot for', () => {
    const h = new Harness({ maxStreams: 3, maxSubStreams: 1 });
    for (const name of ['a', 'b', 'c', 'd']) h.send(states({ urn: `urn:health:src:${name}`, expiry: { repeat: 60 } }));
    expect([...h.model.streams()].map((s) => s.urn)).toEqual(['urn:health:src:a']);
    expect(h.model.untracked).toEqual({ streams: 0, substreams: 3 });
  });

  it('forgets a stream left without sub streams, on the timer of unknown sub streams, so its slot comes free', () => {
    const h = new Harness({ maxStreams: 1, forgetUnknownAfterMs: 3600_000 });
    h.send(states({ sub: 'x', states: [checkState('a')] }));
    expect(h.errors('x')).toEqual(['StreamMissingSubStream']);
    // Clearing forgets the sub stream known only by its errors; the stream is left empty.
    h.clearErrors('x');
    h.send(states({ urn: OTHER, expiry: { repeat: 60 } }));
    expect(h.model.untracked.streams).toBe(1);
    h.advance(3600);
    expect(h.model.stream(EXAMPLE_URN)).toBeDefined();
    h.advance(1);
    expect(h.model.stream(EXAMPLE_URN)).toBeUndefined();
    h.send(states({ urn: OTHER, expiry: { repeat: 60 } }));
    expect(h.model.subStream(OTHER)!.isSetUp).toBe(true);
  });
});

describe('persistence', () => {
  it('restores open snapshots, check states, checkpoints, intervals, errors and counters from the store', async () => {
    const h = new Harness();
    h.send(snapshot({ sub: 'rs', start: { repeat: 300, expiry: 1200 }, states: [checkState('a'), checkState('b', 'Critical')], stop: true }));
    h.send(snapshot({ sub: 'rs', start: { repeat: 300, expiry: 1200 }, states: [checkState('a', 'Deviating')] }));
    h.send(states({ urn: OTHER, sub: 'st', expiry: { repeat: 60, expiry: 600 }, states: [checkState('s1'), checkState('s2', 'Deviating')] }));
    h.send(states({ urn: OTHER, sub: 'ghost', states: [checkState('s1')] }));
    const ti = 'urn:health:kafka:increments';
    h.send(increment({ urn: ti, sub: 'p0', checkpoint: [7, 3], states: [checkState('t1')] }));
    h.send(increment({ urn: ti, sub: 'p0', checkpoint: [9], previous: [8], states: [checkState('t2')] }));

    const r = await roundTrip(h, h.clock.now() + 5000);
    const sub = r.model.subStream(EXAMPLE_URN, 'rs')!;
    expect(sub.record.snapshot).toEqual(h.model.subStream(EXAMPLE_URN, 'rs')!.record.snapshot);
    expect([...sub.pending]).toEqual([['a', 'DEVIATING']]);
    expect(r.states('rs')).toEqual({ a: 'CLEAR', b: 'CRITICAL' });
    expect(r.states('st', OTHER)).toEqual({ s1: 'CLEAR', s2: 'DEVIATING' });
    expect(r.errors('ghost', OTHER)).toEqual(['StreamMissingSubStream']);
    expect(r.model.subStream(ti, 'p0')!.record.checkpoint).toEqual({ offset: 9 });
    expect(r.errors('p0', ti)).toEqual(['SubStreamInvalidCheckpoint']);
    expect(r.model.stream(ti)!.record).toEqual(h.model.stream(ti)!.record);
    expect(r.model.budget.used).toBe(h.model.budget.used);
    expect(r.model.subStreamTotal).toBe(4);

    // The restored open snapshot closes as if nothing happened.
    r.send(snapshot({ sub: 'rs', states: [checkState('c')], stop: true }));
    expect(r.states('rs')).toEqual({ a: 'DEVIATING', c: 'CLEAR' });
  });

  it('stores deletions too: what a closed snapshot, an expiry or a delete removed stays removed', async () => {
    const h = new Harness();
    h.send(snapshot({ sub: 'rs', start: { repeat: 60, expiry: 240 }, states: manyStates(3), stop: true }));
    h.send(states({ urn: OTHER, sub: 'st', expiry: { repeat: 60, expiry: 120 }, states: [checkState('old')] }));
    h.advance(100);
    h.send(states({ urn: OTHER, sub: 'st', expiry: { repeat: 60, expiry: 120 }, states: [checkState('new')] }));
    h.send(snapshot({ sub: 'rs', start: { repeat: 60, expiry: 240 }, states: [checkState('check-1', 'Critical')], stop: true }));
    h.advance(21);
    const r = await roundTrip(h, h.clock.now());
    expect(r.states('rs')).toEqual({ 'check-1': 'CRITICAL' });
    expect(r.states('st', OTHER)).toEqual({ new: 'CLEAR' });
    expect(r.model.budget.used).toBe(2);
  });

  it('does not hold the time fleetwatch was down against a sub stream: timers restart with the run', async () => {
    const h = new Harness();
    h.send(snapshot({ sub: 'rs', start: { repeat: 300, expiry: 1200 }, states: [checkState('a')] }));
    const downFor = 3600;
    const r = await roundTrip(h, h.clock.now() + downFor * 1000);
    r.advance(0);
    expect(r.errors('rs')).toEqual([]);
    expect(r.model.subStream(EXAMPLE_URN, 'rs')!.record.snapshot).toBeDefined();
    r.advance(601);
    expect(r.errors('rs')).toEqual(['SubStreamLateData', 'SubStreamMissingStop']);
    r.advance(600);
    expect(r.errors('rs')).toEqual(['SubStreamExpired']);
  });
});

describe('render versions', () => {
  it('moves a sub stream version on every visible change, including those made by time', () => {
    const h = new Harness();
    h.send(snapshot({ sub: 'rs', start: { repeat: 60, expiry: 600 }, stop: true }));
    const sub = h.model.subStream(EXAMPLE_URN, 'rs')!;
    const v1 = sub.version;
    h.advance(60);
    expect(sub.version).toBe(v1);
    h.advance(61);
    expect(sub.version).toBeGreaterThan(v1);
    const v2 = sub.version;
    h.send(snapshot({ sub: 'rs', start: { repeat: 60, expiry: 600 } }));
    expect(sub.version).toBeGreaterThan(v2);
  });
});
