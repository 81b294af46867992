import { describe, expect, it } from 'vitest';
import { Harness } from '../../../test/healthsync/harness.js';
import { checkState, EXAMPLE_REPEAT_STATES, EXAMPLE_URN, states } from '../../../test/healthsync/payloads.js';

const EXPIRY = { repeat: 300, expiry: 600 };

describe('REPEAT_STATES', () => {
  it('applies the documented example', () => {
    const h = new Harness();
    h.sendPayload(EXAMPLE_REPEAT_STATES);
    expect(h.states()).toEqual({ checkStateId1: 'DEVIATING' });
    expect(h.model.subStream(EXAMPLE_URN)!.record).toMatchObject({ repeatMs: 300_000, expiryMs: 600_000, lastCompleteAt: h.clock.now() });
    expect(h.errors()).toEqual([]);
  });

  it('creates and updates states but never deletes one a message leaves out', () => {
    const h = new Harness();
    h.send(states({ expiry: EXPIRY, states: [checkState('a'), checkState('b')] }));
    h.send(states({ states: [checkState('a', 'CRITICAL')] }));
    expect(h.states()).toEqual({ a: 'CRITICAL', b: 'CLEAR' });
  });

  it('deletes each state once it has not been observed for the expiry interval', () => {
    const h = new Harness();
    h.send(states({ expiry: EXPIRY, states: [checkState('a'), checkState('b')] }));
    h.advance(300);
    h.send(states({ expiry: EXPIRY, states: [checkState('a')] }));
    h.advance(300);
    expect(h.states()).toEqual({ a: 'CLEAR', b: 'CLEAR' });
    h.advance(1);
    // b was last seen 601 s ago, a 301 s ago: a just-missed check disappears (and reappears when sent).
    expect(h.states()).toEqual({ a: 'CLEAR' });
    expect(h.errors()).toEqual([]);
    h.send(states({ states: [checkState('b')] }));
    expect(h.states()).toEqual({ a: 'CLEAR', b: 'CLEAR' });
  });

  it('keeps states forever when expiry is disabled (no expiry_interval_s on the default sub stream)', () => {
    const h = new Harness();
    h.send(states({ expiry: { repeat: 60 }, states: [checkState('a')] }));
    h.advance(10 * 24 * 3600);
    expect(h.states()).toEqual({ a: 'CLEAR' });
    expect(h.model.subStream(EXAMPLE_URN)!.isSetUp).toBe(true);
  });

  describe('errors, raised and cleared', () => {
    it('StreamMissingSubStream: states before any expiry setup; cleared by the setup', () => {
      const h = new Harness();
      h.send(states({ sub: 'site-1', states: [checkState('a')] }));
      expect(h.errors('site-1')).toEqual(['StreamMissingSubStream']);
      expect(h.states('site-1')).toEqual({});
      h.send(states({ sub: 'site-1', expiry: EXPIRY, states: [checkState('a')] }));
      expect(h.errors('site-1')).toEqual([]);
      expect(h.states('site-1')).toEqual({ a: 'CLEAR' });
    });

    it('SubStreamRepeatIntervalTooHigh: in the expiry setup; cleared by a setup within 1800 s', () => {
      const h = new Harness();
      h.send(states({ expiry: { repeat: 3600, expiry: 7200 } }));
      expect(h.errors()).toEqual(['SubStreamRepeatIntervalTooHigh']);
      h.send(states({ expiry: { repeat: 1800, expiry: 7200 } }));
      expect(h.errors()).toEqual([]);
    });

    it('SubStreamLateData: no states within repeat × tolerance; cleared by the next message', () => {
      const h = new Harness();
      h.send(states({ expiry: { repeat: 300, expiry: 3600 }, states: [checkState('a')] }));
      h.advance(601);
      expect(h.errors()).toEqual(['SubStreamLateData']);
      h.send(states({ states: [checkState('a')] }));
      expect(h.errors()).toEqual([]);
    });

    it('SubStreamTransformerError: an unknown health value; cleared by the next message whose states all read', () => {
      const h = new Harness();
      h.send(states({ expiry: EXPIRY, states: [checkState('a'), checkState('b', 'Fine')] }));
      expect(h.errors()).toEqual(['SubStreamTransformerError']);
      expect(h.states()).toEqual({ a: 'CLEAR' });
      h.send(states({ states: [checkState('b', 'deviating')] }));
      expect(h.errors()).toEqual([]);
      expect(h.states()).toEqual({ a: 'CLEAR', b: 'DEVIATING' });
    });

    it('SubStreamExpired: a silent sub stream is deleted with its states; cleared when it is set up again', () => {
      const h = new Harness();
      h.send(states({ sub: 'site-1', expiry: EXPIRY, states: [checkState('a')] }));
      h.advance(601);
      expect(h.errors('site-1')).toEqual(['SubStreamExpired']);
      expect(h.states('site-1')).toEqual({});
      h.send(states({ sub: 'site-1', states: [checkState('a')] }));
      // Not set up again by plain states: the receiver wants the setup first.
      expect(h.errors('site-1')).toEqual(['StreamMissingSubStream', 'SubStreamExpired']);
      h.send(states({ sub: 'site-1', expiry: EXPIRY, states: [checkState('a')] }));
      expect(h.errors('site-1')).toEqual([]);
    });
  });
});
