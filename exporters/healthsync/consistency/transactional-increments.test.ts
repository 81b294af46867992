import { describe, expect, it } from 'vitest';
import { Harness } from '../../../test/healthsync/harness.js';
import { checkState, deletion, EXAMPLE_TRANSACTIONAL_INCREMENTS, EXAMPLE_URN, increment } from '../../../test/healthsync/payloads.js';
import { compareCheckpoints } from './transactional-increments.js';

describe('TRANSACTIONAL_INCREMENTS', () => {
  it('applies the documented example as the first increment of a sub stream', () => {
    const h = new Harness();
    h.sendPayload(EXAMPLE_TRANSACTIONAL_INCREMENTS);
    expect(h.states()).toEqual({ checkStateId1: 'DEVIATING' });
    expect(h.model.subStream(EXAMPLE_URN)!.record.checkpoint).toEqual({ offset: 5, batchIndex: 102 });
    // The example deletes checkStateId3, which this fresh sub stream never had.
    expect(h.errors()).toEqual(['SubStreamUnknownCheckState']);
  });

  it('follows a checkpoint chain, with explicit deletes', () => {
    const h = new Harness();
    h.send(increment({ checkpoint: [1], states: [checkState('a'), checkState('b')] }));
    h.send(increment({ checkpoint: [2, 10], previous: [1], states: [checkState('a', 'Critical'), deletion('b')] }));
    h.send(increment({ checkpoint: [2, 20], previous: [2, 10], states: [checkState('c')] }));
    expect(h.states()).toEqual({ a: 'CRITICAL', c: 'CLEAR' });
    expect(h.model.subStream(EXAMPLE_URN)!.record.checkpoint).toEqual({ offset: 2, batchIndex: 20 });
    expect(h.errors()).toEqual([]);
  });

  it('lets a delete win over create fields in the same check state', () => {
    const h = new Harness();
    h.send(increment({ checkpoint: [1], states: [checkState('a')] }));
    h.send(increment({ checkpoint: [2], previous: [1], states: [checkState('a', 'Critical', { delete: true })] }));
    expect(h.states()).toEqual({});
  });

  it('never expires and is never late: there is no periodicity', () => {
    const h = new Harness();
    h.send(increment({ sub: 'p0', checkpoint: [1], states: [checkState('a')] }));
    h.advance(30 * 24 * 3600);
    expect(h.states('p0')).toEqual({ a: 'CLEAR' });
    expect(h.errors('p0')).toEqual([]);
  });

  it('orders checkpoints by offset, then batch index, a missing index covering the whole offset', () => {
    expect(compareCheckpoints({ offset: 5, batchIndex: 100 }, { offset: 5, batchIndex: 102 })).toBeLessThan(0);
    expect(compareCheckpoints({ offset: 5 }, { offset: 5, batchIndex: 102 })).toBeGreaterThan(0);
    expect(compareCheckpoints({ offset: 6, batchIndex: 0 }, { offset: 5 })).toBeGreaterThan(0);
    expect(compareCheckpoints({ offset: 5 }, { offset: 5 })).toBe(0);
  });

  describe('errors, raised and cleared', () => {
    it('SubStreamMissingCheckpoint: no previous_checkpoint once a checkpoint was seen; applied, and only an explicit clear ends it', () => {
      const h = new Harness();
      h.send(increment({ checkpoint: [1], states: [checkState('a')] }));
      h.send(increment({ checkpoint: [2], states: [checkState('b')] }));
      expect(h.errors()).toEqual(['SubStreamMissingCheckpoint']);
      expect(h.states()).toEqual({ a: 'CLEAR', b: 'CLEAR' });
      h.send(increment({ checkpoint: [3], previous: [2] }));
      expect(h.errors()).toEqual(['SubStreamMissingCheckpoint']);
      expect(h.clearErrors()).toBe(true);
      expect(h.errors()).toEqual([]);
    });

    it('SubStreamInvalidCheckpoint: a gap in the chain; applied, and only an explicit clear ends it', () => {
      const h = new Harness();
      h.send(increment({ checkpoint: [1], states: [checkState('a')] }));
      h.send(increment({ checkpoint: [4], previous: [3], states: [checkState('b')] }));
      expect(h.errors()).toEqual(['SubStreamInvalidCheckpoint']);
      expect(h.states()).toEqual({ a: 'CLEAR', b: 'CLEAR' });
      h.send(increment({ checkpoint: [5], previous: [4] }));
      expect(h.errors()).toEqual(['SubStreamInvalidCheckpoint']);
      h.clearErrors();
      expect(h.errors()).toEqual([]);
      expect(h.model.subStream(EXAMPLE_URN)!.record.checkpoint).toEqual({ offset: 5 });
    });

    it('SubStreamOutdatedCheckpoint: an increment already received is not applied again; cleared by the next new increment', () => {
      const h = new Harness();
      h.send(increment({ checkpoint: [1], states: [checkState('a')] }));
      h.send(increment({ checkpoint: [2], previous: [1], states: [deletion('a')] }));
      // Redelivery of the first increment: it must not bring a back.
      h.send(increment({ checkpoint: [1], states: [checkState('a')] }));
      expect(h.errors()).toEqual(['SubStreamOutdatedCheckpoint']);
      expect(h.states()).toEqual({});
      h.send(increment({ checkpoint: [2], previous: [1], states: [deletion('a')] }));
      expect(h.counts().SubStreamOutdatedCheckpoint).toBe(2);
      h.send(increment({ checkpoint: [3], previous: [2], states: [checkState('c')] }));
      expect(h.errors()).toEqual([]);
      expect(h.states()).toEqual({ c: 'CLEAR' });
    });

    it('SubStreamUnknownCheckState: deleting a state the sub stream does not have; only an explicit clear ends it', () => {
      const h = new Harness();
      h.send(increment({ sub: 'p1', checkpoint: [1], states: [checkState('a')] }));
      h.send(increment({ sub: 'p1', checkpoint: [2], previous: [1], states: [deletion('ghost')] }));
      expect(h.errors('p1')).toEqual(['SubStreamUnknownCheckState']);
      h.send(increment({ sub: 'p1', checkpoint: [3], previous: [2], states: [deletion('a')] }));
      expect(h.errors('p1')).toEqual(['SubStreamUnknownCheckState']);
      expect(h.clearErrors('p1')).toBe(true);
      expect(h.errors('p1')).toEqual([]);
    });

    it('SubStreamTransformerError: a check state without checkStateId; cleared by the next increment whose states all read', () => {
      const h = new Harness();
      h.send(increment({ checkpoint: [1], states: [checkState('a'), { health: 'Clear', name: 'n', topologyElementIdentifier: 't' }] }));
      expect(h.errors()).toEqual(['SubStreamTransformerError']);
      expect(h.states()).toEqual({ a: 'CLEAR' });
      h.send(increment({ checkpoint: [2], previous: [1], states: [checkState('b')] }));
      expect(h.errors()).toEqual([]);
    });
  });
});
