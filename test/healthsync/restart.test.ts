import { afterEach, describe, expect, it } from 'vitest';
import { startChildExporter, type ChildExporter } from '../support/child-exporter.js';
import { sampleValue, tempDir } from '../support/exporter.js';
import { checkState, envelope, EXAMPLE_REPEAT_SNAPSHOTS, EXAMPLE_URN, increment, manyStates, snapshot, states } from './payloads.js';

const started: ChildExporter[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.stop()));
});

/** A frozen clock: a scrape before and after the kill must read the same. */
async function start(dataDir: string): Promise<ChildExporter> {
  const child = await startChildExporter({ module: 'exporters/healthsync/index.ts', exportName: 'healthsyncExporter', dataDir, frozenClockMs: Date.UTC(2026, 2, 1, 12) });
  started.push(child);
  return child;
}

async function post(c: ChildExporter, body: unknown): Promise<void> {
  const response = await fetch(`${c.url}/stsAgent/intake`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

/** Our samples, as a set: the order of series is not part of what must survive. */
const ours = (text: string) => text.split('\n').filter((l) => l.startsWith('healthsync_')).sort();
const KAFKA = 'urn:health:kafka:increments';
const K8S = 'urn:health:kubernetes:external-health';

describe('healthsync across kill -9', () => {
  it('keeps open snapshots, check states, checkpoints, sub streams, errors and counters', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    await post(first, EXAMPLE_REPEAT_SNAPSHOTS);
    // agent-2: a snapshot left open, with check states pending.
    await post(first, envelope([snapshot({ sub: 'agent-2', start: { repeat: 300, expiry: 1200 }, states: manyStates(4, 'pending') })]));
    await post(first, envelope([states({ urn: K8S, sub: 'site-1', expiry: { repeat: 60, expiry: 600 }, states: [checkState('a', 'critical'), checkState('b')] })]));
    // An error on a sub stream that does not exist, and a sticky increment error.
    await post(first, envelope([states({ urn: K8S, sub: 'site-9', states: [checkState('a')] })]));
    await post(first, envelope([increment({ urn: KAFKA, sub: 'p0', checkpoint: [10, 4], states: [checkState('t')] }), increment({ urn: KAFKA, sub: 'p0', checkpoint: [12], previous: [11] })]));
    const before = await (await fetch(`${first.url}/metrics`)).text();
    await first.kill9();

    const second = await start(dataDir);
    const after = await (await fetch(`${second.url}/metrics`)).text();
    expect(ours(after)).toEqual(ours(before));
    expect(sampleValue(after, 'healthsync_substream_snapshot_open', { stream: EXAMPLE_URN, sub_stream: 'agent-2' })).toBe(1);
    expect(sampleValue(after, 'healthsync_check_states', { stream: EXAMPLE_URN, sub_stream: 'agent-1', health: 'CRITICAL' })).toBe(1);
    expect(sampleValue(after, 'healthsync_check_states', { stream: K8S, sub_stream: 'site-1', health: 'CRITICAL' })).toBe(1);
    expect(sampleValue(after, 'healthsync_substream_error', { stream: K8S, sub_stream: 'site-9', code: 'StreamMissingSubStream' })).toBe(1);
    expect(sampleValue(after, 'healthsync_checkpoint_offset', { stream: KAFKA, sub_stream: 'p0' })).toBe(12);
    expect(sampleValue(after, 'healthsync_substream_error', { stream: KAFKA, sub_stream: 'p0', code: 'SubStreamInvalidCheckpoint' })).toBe(1);
    expect(sampleValue(after, 'healthsync_substreams', { stream: EXAMPLE_URN })).toBe(2);

    // The open snapshot carries on where it was: its pending states apply at the stop.
    await post(second, envelope([snapshot({ sub: 'agent-2', states: [checkState('late-arrival')], stop: true })]));
    // The checkpoint chain carries on too.
    await post(second, envelope([increment({ urn: KAFKA, sub: 'p0', checkpoint: [13], previous: [12] })]));
    const resumed = await (await fetch(`${second.url}/metrics`)).text();
    expect(sampleValue(resumed, 'healthsync_substream_snapshot_open', { stream: EXAMPLE_URN, sub_stream: 'agent-2' })).toBe(0);
    const agent2 = (health: string) => sampleValue(resumed, 'healthsync_check_states', { stream: EXAMPLE_URN, sub_stream: 'agent-2', health });
    expect([agent2('CLEAR'), agent2('DEVIATING'), agent2('CRITICAL')]).toEqual([3, 1, 1]);
    expect(sampleValue(resumed, 'healthsync_errors_total', { stream: KAFKA, code: 'SubStreamInvalidCheckpoint' })).toBe(1);
    expect(sampleValue(resumed, 'healthsync_errors_total', { stream: KAFKA, code: 'SubStreamOutdatedCheckpoint' })).toBeUndefined();
  });
});
