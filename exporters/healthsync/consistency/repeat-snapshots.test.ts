import { describe, expect, it } from 'vitest';
import { Harness } from '../../../test/healthsync/harness.js';
import { checkState, EXAMPLE_REPEAT_SNAPSHOTS, manyStates, snapshot } from '../../../test/healthsync/payloads.js';

const SUB = 'agent-1';
const START = { repeat: 300, expiry: 1200 };

describe('REPEAT_SNAPSHOTS', () => {
  it('applies the documented one-message snapshot', () => {
    const h = new Harness();
    h.sendPayload(EXAMPLE_REPEAT_SNAPSHOTS);
    expect(h.states(SUB)).toEqual({ checkStateId1: 'DEVIATING', checkStateId2: 'CRITICAL' });
    const r = h.model.subStream('urn:health:sourceId:streamId', SUB)!.record;
    expect(r).toMatchObject({ repeatMs: 300_000, expiryMs: 1_200_000, lastCompleteAt: h.clock.now() });
    expect(r.snapshot).toBeUndefined();
    expect(h.errors(SUB)).toEqual([]);
  });

  it('builds a snapshot over several messages and applies it only at the stop', () => {
    const h = new Harness();
    h.send(snapshot({ sub: SUB, start: START }));
    h.send(snapshot({ sub: SUB, states: [checkState('a', 'clear'), checkState('b', 'DEVIATING')] }));
    h.send(snapshot({ sub: SUB, states: [checkState('c', 'Critical')] }));
    // Still open: nothing applied, three pending.
    expect(h.states(SUB)).toEqual({});
    expect(h.model.subStream('urn:health:sourceId:streamId', SUB)!.pending.size).toBe(3);
    expect(h.model.subStream('urn:health:sourceId:streamId', SUB)!.record.lastCompleteAt).toBeUndefined();

    h.clock.advance(5000);
    h.send(snapshot({ sub: SUB, stop: true }));
    expect(h.states(SUB)).toEqual({ a: 'CLEAR', b: 'DEVIATING', c: 'CRITICAL' });
    expect(h.model.subStream('urn:health:sourceId:streamId', SUB)!.record.lastCompleteAt).toBe(h.clock.now());
    expect(h.errors(SUB)).toEqual([]);
  });

  it('deletes the check states a closed snapshot no longer holds, and updates the rest', () => {
    const h = new Harness();
    h.send(snapshot({ sub: SUB, start: START, states: [checkState('a'), checkState('b'), checkState('c')], stop: true }));
    h.send(snapshot({ sub: SUB, start: START, states: [checkState('a', 'Critical'), checkState('d')], stop: true }));
    expect(h.states(SUB)).toEqual({ a: 'CRITICAL', d: 'CLEAR' });
    expect(h.model.budget.used).toBe(2);
  });

  it('treats the default sub stream (no sub_stream_id) as a sub stream of its own', () => {
    const h = new Harness();
    h.send(snapshot({ start: { repeat: 60 }, states: [checkState('x')], stop: true }));
    expect(h.states()).toEqual({ x: 'CLEAR' });
    expect(h.model.subStream('urn:health:sourceId:streamId', '')!.record.expiryMs).toBeUndefined();
  });

  describe('errors, raised and cleared', () => {
    it('StreamMissingSubStream: data before any start; cleared once a start sets the sub stream up', () => {
      const h = new Harness();
      h.send(snapshot({ sub: SUB, states: [checkState('a')], stop: true }));
      expect(h.errors(SUB)).toEqual(['StreamMissingSubStream']);
      expect(h.model.subStream('urn:health:sourceId:streamId', SUB)!.isSetUp).toBe(false);
      expect(h.states(SUB)).toEqual({});
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('a')], stop: true }));
      expect(h.errors(SUB)).toEqual([]);
      expect(h.states(SUB)).toEqual({ a: 'CLEAR' });
    });

    it('SubStreamRepeatIntervalTooHigh: above 1800 s; cleared by a start within it', () => {
      const h = new Harness();
      h.send(snapshot({ sub: SUB, start: { repeat: 1800, expiry: 7200 }, stop: true }));
      expect(h.errors(SUB)).toEqual([]);
      h.send(snapshot({ sub: SUB, start: { repeat: 1801, expiry: 7200 }, stop: true }));
      expect(h.errors(SUB)).toEqual(['SubStreamRepeatIntervalTooHigh']);
      h.send(snapshot({ sub: SUB, start: { repeat: 600, expiry: 7200 }, stop: true }));
      expect(h.errors(SUB)).toEqual([]);
    });

    it('SubStreamStartWithoutStop: a second start abandons the open snapshot; cleared by a completed snapshot', () => {
      const h = new Harness();
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('a')], stop: true }));
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('partial')] }));
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('b')] }));
      expect(h.errors(SUB)).toEqual(['SubStreamStartWithoutStop']);
      h.send(snapshot({ sub: SUB, stop: true }));
      expect(h.states(SUB)).toEqual({ b: 'CLEAR' });
      expect(h.errors(SUB)).toEqual([]);
      expect(h.counts().SubStreamStartWithoutStop).toBe(1);
    });

    it('SubStreamCheckStateOutsideSnapshot: states with no snapshot open are ignored; cleared by a completed snapshot', () => {
      const h = new Harness();
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('a')], stop: true }));
      h.send(snapshot({ sub: SUB, states: [checkState('stray', 'Critical')] }));
      expect(h.errors(SUB)).toEqual(['SubStreamCheckStateOutsideSnapshot']);
      expect(h.states(SUB)).toEqual({ a: 'CLEAR' });
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('a')], stop: true }));
      expect(h.errors(SUB)).toEqual([]);
    });

    it('SubStreamStopWithoutStart: a stop with nothing open; cleared when a start followed by a stop is seen', () => {
      const h = new Harness();
      h.send(snapshot({ sub: SUB, start: START, stop: true }));
      h.send(snapshot({ sub: SUB, stop: true }));
      expect(h.errors(SUB)).toEqual(['SubStreamStopWithoutStart']);
      h.send(snapshot({ sub: SUB, start: START }));
      expect(h.errors(SUB)).toEqual(['SubStreamStopWithoutStart']);
      h.send(snapshot({ sub: SUB, stop: true }));
      expect(h.errors(SUB)).toEqual([]);
    });

    it('SubStreamMissingStop: no stop within 2 × repeat interval applies an automatic stop; cleared by a stopped snapshot', () => {
      const h = new Harness();
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('a'), checkState('b')], stop: true }));
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('a', 'Critical')] }));
      h.advance(600);
      expect(h.errors(SUB)).toEqual([]);
      expect(h.model.subStream('urn:health:sourceId:streamId', SUB)!.record.snapshot).toBeDefined();
      h.advance(1);
      expect(h.errors(SUB)).toContain('SubStreamMissingStop');
      // The automatic stop applied what had arrived: b is gone, a updated.
      expect(h.states(SUB)).toEqual({ a: 'CRITICAL' });
      expect(h.model.subStream('urn:health:sourceId:streamId', SUB)!.record.snapshot).toBeUndefined();
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('a')], stop: true }));
      expect(h.errors(SUB)).toEqual([]);
    });

    it('SubStreamLateData: no complete snapshot within repeat × tolerance (2); cleared by the next complete snapshot', () => {
      const h = new Harness();
      h.send(snapshot({ sub: SUB, start: START, stop: true }));
      h.advance(600);
      expect(h.errors(SUB)).toEqual([]);
      h.advance(1);
      expect(h.errors(SUB)).toEqual(['SubStreamLateData']);
      h.advance(60);
      expect(h.counts().SubStreamLateData).toBe(1);
      // A start alone is not complete data.
      h.send(snapshot({ sub: SUB, start: START }));
      expect(h.errors(SUB)).toEqual(['SubStreamLateData']);
      h.send(snapshot({ sub: SUB, stop: true }));
      expect(h.errors(SUB)).toEqual([]);
    });

    it('SubStreamLateData honours the configured tolerance', () => {
      const h = new Harness({ lateTolerance: 1.5 });
      h.send(snapshot({ sub: SUB, start: START, stop: true }));
      h.advance(450);
      expect(h.errors(SUB)).toEqual([]);
      h.advance(1);
      expect(h.errors(SUB)).toEqual(['SubStreamLateData']);
    });

    it('SubStreamTransformerError: a check state missing name is skipped, the rest applies; cleared by a snapshot stopped without one', () => {
      const h = new Harness();
      const nameless = { checkStateId: 'bad', health: 'Clear', topologyElementIdentifier: 'server-9' };
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('a'), nameless, checkState('b', 'shouting')] }));
      h.send(snapshot({ sub: SUB, states: [checkState('c')], stop: true }));
      expect(h.errors(SUB)).toEqual(['SubStreamTransformerError']);
      expect(h.counts().SubStreamTransformerError).toBe(1);
      expect(h.states(SUB)).toEqual({ a: 'CLEAR', c: 'CLEAR' });
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('a')], stop: true }));
      expect(h.errors(SUB)).toEqual([]);
    });

    it('SubStreamExpired: no data for longer than the expiry interval deletes the sub stream; cleared when it is set up again', () => {
      const h = new Harness();
      h.send(snapshot({ sub: SUB, start: START, states: manyStates(5), stop: true }));
      h.send(snapshot({ sub: 'agent-2', start: START, states: [checkState('z')], stop: true }));
      h.advance(1000);
      h.send(snapshot({ sub: 'agent-2', start: START, states: [checkState('z')], stop: true }));
      h.advance(200);
      expect(h.errors(SUB)).not.toContain('SubStreamExpired');
      h.advance(1);
      expect(h.errors(SUB)).toEqual(['SubStreamExpired']);
      const sub = h.model.subStream('urn:health:sourceId:streamId', SUB)!;
      expect(sub.isSetUp).toBe(false);
      expect(h.states(SUB)).toEqual({});
      expect(h.model.budget.used).toBe(1);
      expect(h.model.stream('urn:health:sourceId:streamId')!.record.expired).toBe(1);
      expect(h.model.stream('urn:health:sourceId:streamId')!.setUpCount()).toBe(1);
      h.send(snapshot({ sub: SUB, start: START, states: [checkState('a')], stop: true }));
      expect(h.errors(SUB)).toEqual([]);
      expect(h.states(SUB)).toEqual({ a: 'CLEAR' });
    });

    it('an expired sub stream that never comes back is forgotten after forget_unknown_substreams_after_seconds', () => {
      const h = new Harness({ forgetUnknownAfterMs: 3600_000 });
      h.send(snapshot({ sub: SUB, start: START, stop: true }));
      h.advance(1201);
      expect(h.errors(SUB)).toEqual(['SubStreamExpired']);
      h.advance(3600);
      expect(h.model.subStream('urn:health:sourceId:streamId', SUB)).toBeDefined();
      h.advance(1);
      expect(h.model.subStream('urn:health:sourceId:streamId', SUB)).toBeUndefined();
      expect(h.model.subStreamTotal).toBe(0);
      // It was the stream's last sub stream: the stream goes with it rather than hold a stream slot for good.
      expect(h.model.stream('urn:health:sourceId:streamId')).toBeUndefined();
    });

    it('lastDataAt moves only with data that applies, so a stray stop or states outside a snapshot do not postpone expiry', () => {
      const h = new Harness();
      const sub = () => h.model.subStream('urn:health:sourceId:streamId', SUB)!;
      h.send(snapshot({ sub: SUB, start: START, stop: true }));
      const setUpAt = h.clock.now();
      h.advance(600);
      h.send(snapshot({ sub: SUB, stop: true }));
      h.send(snapshot({ sub: SUB, states: [checkState('stray')] }));
      expect(h.errors(SUB)).toEqual(['SubStreamCheckStateOutsideSnapshot', 'SubStreamStopWithoutStart']);
      expect(sub().record.lastDataAt).toBe(setUpAt);
      h.advance(601);
      expect(h.errors(SUB)).toEqual(['SubStreamExpired']);

      // What does apply: a start, states added to the open snapshot, the stop that closes it.
      h.send(snapshot({ sub: SUB, start: START }));
      expect(sub().record.lastDataAt).toBe(h.clock.now());
      h.advance(10);
      h.send(snapshot({ sub: SUB, states: [checkState('a')] }));
      expect(sub().record.lastDataAt).toBe(h.clock.now());
      h.advance(10);
      h.send(snapshot({ sub: SUB, stop: true }));
      expect(sub().record.lastDataAt).toBe(h.clock.now());
    });
  });
});
