import { describe, expect, it } from 'vitest';
import { TextExposition } from '../core/exposition.js';
import { Harness } from '../../test/healthsync/harness.js';
import { checkState, EXAMPLE_URN, snapshot, states } from '../../test/healthsync/payloads.js';
import { sampleValue } from '../../test/support/exporter.js';
import { HealthsyncView } from './view.js';

function scraper(h: Harness): () => string {
  const exposition = new TextExposition([new HealthsyncView(h.model)]);
  return () => exposition.render(h.clock.now()).toString('utf8');
}

describe('HealthsyncView', () => {
  it('never serves a sub stream removed and set up again between two scrapes its old cached lines', () => {
    const h = new Harness();
    const scrape = scraper(h);
    const missing = { stream: EXAMPLE_URN, sub_stream: 'agent-1', code: 'StreamMissingSubStream' };
    h.send(states({ sub: 'agent-1', states: [checkState('a')] }));
    expect(sampleValue(scrape(), 'healthsync_substream_error', missing)).toBe(1);
    // Cleared (so forgotten: it was known only by its errors), then set up again, before the next scrape.
    h.clearErrors('agent-1');
    h.send(states({ sub: 'agent-1', expiry: { repeat: 60, expiry: 600 }, states: [checkState('a')] }));
    const text = scrape();
    expect(sampleValue(text, 'healthsync_substream_error', missing)).toBeUndefined();
    expect(sampleValue(text, 'healthsync_check_states', { stream: EXAMPLE_URN, sub_stream: 'agent-1', health: 'CLEAR' })).toBe(1);
  });

  it('never serves a stream deleted and created again between two scrapes its old cached lines', () => {
    const h = new Harness();
    const scrape = scraper(h);
    h.send(states({ expiry: { repeat: 60 } }));
    expect(sampleValue(scrape(), 'healthsync_stream_info', { stream: EXAMPLE_URN, consistency_model: 'REPEAT_STATES' })).toBe(1);
    h.model.apply({ kind: 'delete_stream', at: h.clock.now(), urn: EXAMPLE_URN });
    h.send(snapshot({ start: { repeat: 60 }, stop: true }));
    const text = scrape();
    expect(sampleValue(text, 'healthsync_stream_info', { stream: EXAMPLE_URN, consistency_model: 'REPEAT_STATES' })).toBeUndefined();
    expect(sampleValue(text, 'healthsync_stream_info', { stream: EXAMPLE_URN, consistency_model: 'REPEAT_SNAPSHOTS' })).toBe(1);
  });
});
