import { afterEach, describe, expect, it } from 'vitest';
import { healthsyncExporter, type HealthsyncExporter } from '../../exporters/healthsync/index.js';
import { promtoolCheckMetrics } from '../support/binaries.js';
import { startChildExporter, type ChildExporter } from '../support/child-exporter.js';
import { sampleValue, startTestExporter, tempDir, type TestExporter } from '../support/exporter.js';
import { FakeReceiver } from '../../sim/healthsync/fake-receiver.js';
import { checkState, envelope, EXAMPLE_REPEAT_SNAPSHOTS, EXAMPLE_URN, increment, manyStates, snapshot } from './payloads.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function teeSets(url: string): string[] {
  return [`tee.url=${url}`, 'tee.backoff_initial_seconds=0.02', 'tee.backoff_max_seconds=0.1', 'tee.timeout_seconds=5', 'tee.api_key=upstream-key'];
}

async function child(dataDir: string, url: string): Promise<ChildExporter> {
  const c = await startChildExporter({ module: 'exporters/healthsync/index.ts', exportName: 'healthsyncExporter', dataDir, frozenClockMs: Date.UTC(2026, 2, 1), sets: teeSets(url) });
  cleanups.push(() => c.stop());
  return c;
}

async function post(baseUrl: string, body: string): Promise<number> {
  const response = await fetch(`${baseUrl}/receiver/stsAgent/intake`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.arrayBuffer();
  return response.status;
}

const scrape = async (baseUrl: string) => (await fetch(`${baseUrl}/metrics`)).text();

/**
 * Payloads as distinct bytes: two sub streams interleaved, a snapshot over
 * several messages, odd whitespace and key order, non-ASCII text, an
 * escaped character — all must arrive exactly as sent.
 */
function payloads(tag: string): string[] {
  const a = (item: Record<string, unknown>) => JSON.stringify(envelope([item], `host-${tag}`));
  return [
    a(snapshot({ sub: `${tag}-1`, start: { repeat: 60, expiry: 600 } })),
    `{ "health" : [ ${JSON.stringify(snapshot({ sub: `${tag}-2`, start: { repeat: 60, expiry: 600 }, states: [checkState('x', 'critical')], stop: true }))} ],\n  "internalHostname":"h\\u00e9", "collection_timestamp": 1 }`,
    a(snapshot({ sub: `${tag}-1`, states: [checkState('a', 'Deviating', { message: 'Plattenplatz knapp — 95 % belegt ✓' })] })),
    a(snapshot({ sub: `${tag}-1`, states: manyStates(20, tag), stop: true })),
    a(increment({ urn: 'urn:health:kafka:increments', sub: tag, checkpoint: [1] })),
    a(increment({ urn: 'urn:health:kafka:increments', sub: tag, checkpoint: [2], previous: [1], states: [checkState('k')] })),
  ];
}

describe('tee mode', () => {
  it('delivers every payload byte for byte and in order while upstream refuses, fails and recovers, across kill -9', async () => {
    const port = await FakeReceiver.freePort();
    const url = `http://127.0.0.1:${port}/receiver/stsAgent/intake`;
    const dataDir = tempDir();
    const first = await child(dataDir, url);

    // Upstream down (connection refused): intake still answers at once.
    const batchA = payloads('a');
    for (const body of batchA) expect(await post(first.url, body)).toBe(200);
    let text = await scrape(first.url);
    expect(sampleValue(text, 'healthsync_tee_spool_payloads')).toBe(batchA.length);
    expect(sampleValue(text, 'healthsync_tee_forward_failures_total', { reason: 'connection' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'healthsync_tee_spool_oldest_timestamp_seconds')).toBe(Date.UTC(2026, 2, 1) / 1000);

    // Upstream up but failing (503): retried, nothing leaves the spool.
    const upstream = await FakeReceiver.listen(port);
    cleanups.push(() => upstream.close());
    upstream.answer = () => 503;
    await upstream.until(() => upstream.requests.length >= 3);
    text = await scrape(first.url);
    expect(sampleValue(text, 'healthsync_tee_forward_failures_total', { reason: 'http_5xx' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'healthsync_tee_spool_payloads')).toBe(batchA.length);

    // Recovers: batch A goes through.
    upstream.answer = () => 200;
    await upstream.until(() => upstream.accepted.length === batchA.length);

    // Failing again; batch B waits in the spool when fleetwatch is killed.
    upstream.answer = () => 503;
    const batchB = payloads('b');
    expect(await post(first.url, batchB[0]!)).toBe(200);
    // The forwarder is sequential: an attempt at B's first payload means A has left the spool.
    await upstream.until(() => upstream.requests.at(-1)!.body.toString() === batchB[0]);
    for (const body of batchB.slice(1)) expect(await post(first.url, body)).toBe(200);
    await first.kill9();

    const second = await child(dataDir, url);
    text = await scrape(second.url);
    expect(sampleValue(text, 'healthsync_tee_spool_payloads')).toBe(batchB.length);
    upstream.answer = () => 200;
    await upstream.until(() => upstream.accepted.length === batchA.length + batchB.length);
    text = await scrape(second.url);
    expect(sampleValue(text, 'healthsync_tee_spool_payloads')).toBe(0);
    expect(sampleValue(text, 'healthsync_tee_spool_oldest_timestamp_seconds')).toBeUndefined();

    // Exactly what was sent, in the order sent, nothing twice, nothing missing.
    expect(upstream.accepted.map((b) => b.toString('utf8'))).toEqual([...batchA, ...batchB]);
    expect(upstream.accepted.every((b, i) => b.equals(Buffer.from([...batchA, ...batchB][i]!, 'utf8')))).toBe(true);
    for (const r of upstream.requests) {
      expect(r.contentType).toBe('application/json');
      expect(new URL(r.url, 'http://x').searchParams.get('api_key')).toBe('upstream-key');
      expect(new URL(r.url, 'http://x').pathname).toBe('/receiver/stsAgent/intake');
    }
    // And the model kept what it was told, across the kill too.
    expect(sampleValue(text, 'healthsync_check_states', { stream: EXAMPLE_URN, sub_stream: 'b-1', health: 'CLEAR' })).toBe(7);
    expect(sampleValue(text, 'healthsync_checkpoint_offset', { stream: 'urn:health:kafka:increments', sub_stream: 'b' })).toBe(2);
  });

  it('refuses intake with 503 while the spool is full, changing nothing, and takes it again once upstream drains it', async () => {
    const upstream = await FakeReceiver.listen();
    cleanups.push(() => upstream.close());
    upstream.answer = () => 503;
    const body = JSON.stringify(EXAMPLE_REPEAT_SNAPSHOTS);
    const e: TestExporter = await startTestExporter(healthsyncExporter, { sets: [...teeSets(upstream.url()), `tee.spool_max_bytes=${body.length * 2}`] });
    cleanups.push(() => e.stop());

    expect(await post(e.url, body)).toBe(200);
    expect(await post(e.url, body)).toBe(200);
    const before = (await e.scrape()).split('\n').filter((l) => l.startsWith('healthsync_messages_total'));
    const full = await fetch(`${e.url}/stsAgent/intake`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('30');
    expect(((await full.json()) as { error: string }).error).toBe('tee_spool_full');
    const text = await e.scrape();
    expect(text.split('\n').filter((l) => l.startsWith('healthsync_messages_total'))).toEqual(before);
    expect(sampleValue(text, 'fleetwatch_rejected_requests_total', { exporter: 'healthsync', reason: 'tee_spool_full' })).toBe(1);

    upstream.answer = () => 200;
    await upstream.until(() => upstream.accepted.length === 2);
    // As a sender would: retry after a 503. The spool frees its room once upstream's answers are in.
    let status = 503;
    for (let attempt = 0; attempt < 200 && status === 503; attempt++) status = await post(e.url, body);
    expect(status).toBe(200);
    await upstream.until(() => upstream.accepted.length === 3);
    expect((e.instance as HealthsyncExporter).model.stream(EXAMPLE_URN)!.record.messages.REPEAT_SNAPSHOTS).toBe(3);
  });

  it('answers intake at once while upstream holds a delivery open without answering', async () => {
    const upstream = await FakeReceiver.listen();
    cleanups.push(() => upstream.close());
    upstream.answer = () => 'hang';
    const e = await startTestExporter(healthsyncExporter, { sets: teeSets(upstream.url()) });
    cleanups.push(() => e.stop());
    const bodies = [0, 1, 2].map((i) => JSON.stringify(envelope([snapshot({ sub: `s${i}`, start: { repeat: 60, expiry: 600 }, stop: true })])));
    expect(await post(e.url, bodies[0]!)).toBe(200);
    await upstream.until(() => upstream.requests.length === 1);
    // The first delivery hangs; the intake does not care.
    for (const body of bodies.slice(1)) expect(await post(e.url, body)).toBe(200);
    expect(sampleValue(await e.scrape(), 'healthsync_tee_spool_payloads')).toBe(3);
    expect(sampleValue(await e.scrape(), 'healthsync_substreams', { stream: EXAMPLE_URN })).toBe(3);
  });

  it('drops, and counts, a payload upstream refuses for good, so the ones behind it still go', async () => {
    const upstream = await FakeReceiver.listen();
    cleanups.push(() => upstream.close());
    upstream.answer = (b) => (b.toString().includes('poison') ? 400 : 200);
    const e = await startTestExporter(healthsyncExporter, { sets: teeSets(upstream.url()) });
    cleanups.push(() => e.stop());
    const poison = JSON.stringify(envelope([snapshot({ sub: 'poison', start: { repeat: 60, expiry: 600 }, stop: true })]));
    const fine = JSON.stringify(envelope([snapshot({ sub: 'fine', start: { repeat: 60, expiry: 600 }, stop: true })]));
    expect(await post(e.url, poison)).toBe(200);
    expect(await post(e.url, fine)).toBe(200);
    await upstream.until(() => upstream.accepted.length === 1);
    expect(upstream.accepted[0]!.toString()).toBe(fine);
    expect(upstream.requests.map((r) => r.status)).toEqual([400, 200]);
    const text = await e.scrape();
    expect(promtoolCheckMetrics(text)).toBe('');
    expect(sampleValue(text, 'healthsync_tee_dropped_total', { status: '400' })).toBe(1);
    expect(sampleValue(text, 'healthsync_tee_forwarded_total')).toBe(1);
  });
});
