import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { healthsyncExporter, type HealthsyncExporter } from '../../exporters/healthsync/index.js';
import { promtoolCheckMetrics } from '../support/binaries.js';
import { pino } from 'pino';
import { ManualClock } from '../../exporters/core/clock.js';
import { loadConfig } from '../../exporters/core/config.js';
import { startExporter } from '../../exporters/core/runtime.js';
import { sampleValue, startTestExporter, tempDir, type TestExporter } from '../support/exporter.js';
import {
  checkState,
  envelope,
  EXAMPLE_REPEAT_SNAPSHOTS,
  EXAMPLE_REPEAT_STATES,
  EXAMPLE_TRANSACTIONAL_INCREMENTS,
  EXAMPLE_URN,
  increment,
  snapshot,
  states,
} from './payloads.js';

const running: TestExporter[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

async function start(sets: string[] = []): Promise<TestExporter> {
  const e = await startTestExporter(healthsyncExporter, { sets });
  running.push(e);
  return e;
}

function post(e: TestExporter, body: unknown, opts: { path?: string; query?: string; type?: string; encoding?: string } = {}): Promise<Response> {
  const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': opts.type ?? 'application/json' };
  if (opts.encoding) headers['content-encoding'] = opts.encoding;
  return fetch(`${e.url}${opts.path ?? '/stsAgent/intake'}${opts.query ?? ''}`, { method: 'POST', headers, body: raw });
}

/** Our families only: process metrics move between scrapes. */
const ours = (text: string) => text.split('\n').filter((l) => l.startsWith('healthsync_')).join('\n');
const sub = (sub_stream: string, urn = EXAMPLE_URN) => ({ stream: urn, sub_stream });

describe('healthsync intake', () => {
  it('takes the documented examples on both intake paths and shows them per stream and sub stream', async () => {
    const e = await start();
    expect((await post(e, EXAMPLE_REPEAT_SNAPSHOTS)).status).toBe(200);
    const k8s = 'urn:health:kubernetes:external-health';
    const statesExample = structuredClone(EXAMPLE_REPEAT_STATES);
    statesExample.health[0]!.stream.urn = k8s;
    expect((await post(e, statesExample, { path: '/receiver/stsAgent/intake' })).status).toBe(200);
    const incrementsExample = structuredClone(EXAMPLE_TRANSACTIONAL_INCREMENTS);
    incrementsExample.health[0]!.stream.urn = 'urn:health:kafka:increments';
    expect((await post(e, incrementsExample)).status).toBe(200);

    const text = await e.scrape();
    expect(promtoolCheckMetrics(text)).toBe('');
    const now = e.clock.now() / 1000;
    expect(sampleValue(text, 'healthsync_stream_info', { stream: EXAMPLE_URN, consistency_model: 'REPEAT_SNAPSHOTS' })).toBe(1);
    expect(sampleValue(text, 'healthsync_substreams', { stream: EXAMPLE_URN })).toBe(1);
    expect(sampleValue(text, 'healthsync_messages_total', { stream: EXAMPLE_URN, consistency_model: 'REPEAT_SNAPSHOTS' })).toBe(1);
    expect(sampleValue(text, 'healthsync_substream_last_complete_timestamp_seconds', sub('agent-1'))).toBe(now);
    expect(sampleValue(text, 'healthsync_substream_repeat_interval_seconds', sub('agent-1'))).toBe(300);
    expect(sampleValue(text, 'healthsync_substream_expiry_interval_seconds', sub('agent-1'))).toBe(1200);
    expect(sampleValue(text, 'healthsync_substream_freshness_ratio', sub('agent-1'))).toBe(0);
    expect(sampleValue(text, 'healthsync_substream_snapshot_open', sub('agent-1'))).toBe(0);
    expect(sampleValue(text, 'healthsync_check_states', { ...sub('agent-1'), health: 'DEVIATING' })).toBe(1);
    expect(sampleValue(text, 'healthsync_check_states', { ...sub('agent-1'), health: 'CRITICAL' })).toBe(1);
    expect(sampleValue(text, 'healthsync_check_states', { ...sub('agent-1'), health: 'CLEAR' })).toBe(0);
    expect(sampleValue(text, 'healthsync_stream_info', { stream: k8s, consistency_model: 'REPEAT_STATES' })).toBe(1);
    expect(sampleValue(text, 'healthsync_check_states', { ...sub('', k8s), health: 'DEVIATING' })).toBe(1);
    expect(sampleValue(text, 'healthsync_checkpoint_offset', sub('', 'urn:health:kafka:increments'))).toBe(5);
    expect(sampleValue(text, 'healthsync_checkpoint_batch_index', sub('', 'urn:health:kafka:increments'))).toBe(102);
    expect(sampleValue(text, 'healthsync_substream_error', { ...sub('', 'urn:health:kafka:increments'), code: 'SubStreamUnknownCheckState' })).toBe(1);
    expect(sampleValue(text, 'healthsync_errors_total', { stream: 'urn:health:kafka:increments', code: 'SubStreamUnknownCheckState' })).toBe(1);
  });

  it('shows an open multi-message snapshot, freshness computed at scrape time, lateness and expiry as time passes', async () => {
    const e = await start();
    const instance = e.instance as HealthsyncExporter;
    await post(e, envelope([snapshot({ sub: 'agent-1', start: { repeat: 60, expiry: 300 }, states: [checkState('a')] })]));
    let text = await e.scrape();
    expect(sampleValue(text, 'healthsync_substream_snapshot_open', sub('agent-1'))).toBe(1);
    expect(sampleValue(text, 'healthsync_check_states', { ...sub('agent-1'), health: 'CLEAR' })).toBe(0);
    await post(e, envelope([snapshot({ sub: 'agent-1', states: [checkState('b')], stop: true })]));
    text = await e.scrape();
    expect(sampleValue(text, 'healthsync_substream_snapshot_open', sub('agent-1'))).toBe(0);
    expect(sampleValue(text, 'healthsync_check_states', { ...sub('agent-1'), health: 'CLEAR' })).toBe(2);

    e.clock.advance(90_000);
    text = await e.scrape();
    expect(sampleValue(text, 'healthsync_substream_freshness_ratio', sub('agent-1'))).toBe(1.5);
    e.clock.advance(31_000);
    await instance.tick();
    text = await e.scrape();
    expect(sampleValue(text, 'healthsync_substream_error', { ...sub('agent-1'), code: 'SubStreamLateData' })).toBe(1);
    e.clock.advance(180_000);
    await instance.tick();
    text = await e.scrape();
    expect(sampleValue(text, 'healthsync_substream_error', { ...sub('agent-1'), code: 'SubStreamLateData' })).toBeUndefined();
    expect(sampleValue(text, 'healthsync_substream_error', { ...sub('agent-1'), code: 'SubStreamExpired' })).toBe(1);
    expect(sampleValue(text, 'healthsync_substreams_expired_total', { stream: EXAMPLE_URN })).toBe(1);
    expect(sampleValue(text, 'healthsync_substreams', { stream: EXAMPLE_URN })).toBe(0);
    expect(sampleValue(text, 'healthsync_check_states', { ...sub('agent-1'), health: 'CLEAR' })).toBeUndefined();
    expect(promtoolCheckMetrics(text)).toBe('');
  });

  it('refuses malformed input with a 400 naming the field, counts it, and changes nothing', async () => {
    const e = await start();
    await post(e, EXAMPLE_REPEAT_SNAPSHOTS);
    const before = ours(await e.scrape());
    const bad = envelope([states({ expiry: { repeat: 60 } }), states({ expiry: { repeat: 60 } }), { ...states({}), stream: { urn: 42 } }]);
    const response = await post(e, bad);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_payload', message: 'health[2].stream.urn: expected a string' });

    const notJson = await post(e, '{"collection_timestamp": 1,');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toMatch(/^the body is not valid JSON/);
    expect((await post(e, '')).status).toBe(400);
    const text = await post(e, 'hello', { type: 'text/plain' });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { message: string }).message).toContain('send application/json');

    const after = await e.scrape();
    expect(ours(after)).toBe(before);
    expect(sampleValue(after, 'fleetwatch_rejected_requests_total', { exporter: 'healthsync', reason: 'invalid_payload' })).toBe(1);
    expect(sampleValue(after, 'fleetwatch_rejected_requests_total', { exporter: 'healthsync', reason: 'invalid_json' })).toBe(2);
    expect(sampleValue(after, 'fleetwatch_rejected_requests_total', { exporter: 'healthsync', reason: 'unsupported_media_type' })).toBe(1);
  });

  it('accepts a check state missing its name but raises SubStreamTransformerError on its sub stream', async () => {
    const e = await start();
    const { name: _name, ...nameless } = checkState('bad');
    const response = await post(e, envelope([states({ sub: 's', expiry: { repeat: 60, expiry: 600 }, states: [nameless, checkState('good')] })]));
    expect(response.status).toBe(200);
    const text = await e.scrape();
    expect(sampleValue(text, 'healthsync_substream_error', { ...sub('s'), code: 'SubStreamTransformerError' })).toBe(1);
    expect(sampleValue(text, 'healthsync_check_states', { ...sub('s'), health: 'CLEAR' })).toBe(1);
  });

  it('refuses a body over the limit with 413, and reads gzip bodies against the limit once inflated', async () => {
    const e = await start(['body_limit_bytes=2000']);
    const big = envelope([states({ expiry: { repeat: 60 }, states: Array.from({ length: 40 }, (_, i) => checkState(`c${i}`)) })]);
    expect((await post(e, big)).status).toBe(413);
    expect((await post(e, gzipSync(JSON.stringify(big)), { encoding: 'gzip' })).status).toBe(413);
    const small = envelope([states({ expiry: { repeat: 60 }, states: [checkState('c')] })]);
    expect((await post(e, gzipSync(JSON.stringify(small)), { encoding: 'gzip' })).status).toBe(200);
    expect(sampleValue(await e.scrape(), 'fleetwatch_rejected_requests_total', { exporter: 'healthsync', reason: 'body_too_large' })).toBe(2);
  });

  it('checks the api_key query parameter when keys are configured', async () => {
    const e = await start(['api_keys=[first-key, second-key]']);
    expect((await post(e, EXAMPLE_REPEAT_STATES)).status).toBe(401);
    expect((await post(e, EXAMPLE_REPEAT_STATES, { query: '?api_key=wrong' })).status).toBe(401);
    expect((await post(e, EXAMPLE_REPEAT_STATES, { query: '?api_key=second-key' })).status).toBe(200);
    const refused = await fetch(`${e.url}/api/v1/healthsync/clear-errors?urn=${encodeURIComponent(EXAMPLE_URN)}`, { method: 'POST' });
    expect(refused.status).toBe(401);
    expect(sampleValue(await e.scrape(), 'fleetwatch_rejected_requests_total', { exporter: 'healthsync', reason: 'unauthorized' })).toBe(3);
  });

  it('warns at start when no api_key is configured, since the intake and the operator routes are then open', async () => {
    const warnings = async (sets: string[]) => {
      const lines: Array<{ level: number; msg: string }> = [];
      const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
      const section = loadConfig(healthsyncExporter.configSchema, { sets: ['listen.host=127.0.0.1', 'listen.port=0', ...sets] });
      const e = await startExporter(healthsyncExporter, section, { dataDir: tempDir(), clock: new ManualClock(), log, env: {} });
      await e.stop();
      return lines.filter((l) => l.msg.includes('no api_keys configured')).map((l) => l.msg);
    };
    const open = await warnings([]);
    expect(open).toHaveLength(1);
    expect(open[0]).toContain('clear errors and delete streams');
    expect(await warnings(['api_keys=[k1]'])).toEqual([]);
  });

  it('clears errors and deletes streams on request, as sts health clear-error and delete do', async () => {
    const e = await start();
    await post(e, envelope([increment({ sub: 'p0', checkpoint: [1] }), increment({ sub: 'p0', checkpoint: [4], previous: [3] })]));
    const code = { ...sub('p0'), code: 'SubStreamInvalidCheckpoint' };
    expect(sampleValue(await e.scrape(), 'healthsync_substream_error', code)).toBe(1);
    const urn = encodeURIComponent(EXAMPLE_URN);
    const cleared = await fetch(`${e.url}/api/v1/healthsync/clear-errors?urn=${urn}&sub_stream_id=p0`, { method: 'POST' });
    expect(cleared.status).toBe(200);
    let text = await e.scrape();
    expect(sampleValue(text, 'healthsync_substream_error', code)).toBeUndefined();
    expect(sampleValue(text, 'healthsync_errors_total', { stream: EXAMPLE_URN, code: 'SubStreamInvalidCheckpoint' })).toBe(1);

    // The default sub stream is the empty sub_stream_id.
    await post(e, EXAMPLE_TRANSACTIONAL_INCREMENTS);
    const unknownState = { ...sub(''), code: 'SubStreamUnknownCheckState' };
    expect(sampleValue(await e.scrape(), 'healthsync_substream_error', unknownState)).toBe(1);
    expect((await fetch(`${e.url}/api/v1/healthsync/clear-errors?urn=${urn}&sub_stream_id=`, { method: 'POST' })).status).toBe(200);
    expect(sampleValue(await e.scrape(), 'healthsync_substream_error', unknownState)).toBeUndefined();

    const unknown = await fetch(`${e.url}/api/v1/healthsync/clear-errors?urn=${encodeURIComponent('urn:health:no:such')}`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect((await fetch(`${e.url}/api/v1/healthsync/clear-errors`, { method: 'POST' })).status).toBe(400);

    expect((await fetch(`${e.url}/api/v1/healthsync/streams?urn=${urn}`, { method: 'DELETE' })).status).toBe(204);
    text = await e.scrape();
    expect(sampleValue(text, 'healthsync_stream_info', { stream: EXAMPLE_URN, consistency_model: 'TRANSACTIONAL_INCREMENTS' })).toBeUndefined();
    expect(sampleValue(text, 'healthsync_checkpoint_offset', sub('p0'))).toBeUndefined();
    expect((await fetch(`${e.url}/api/v1/healthsync/streams?urn=${urn}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('keeps the default JSON parser for its other routes', async () => {
    const e = await start();
    const response = await fetch(`${e.url}/api/v1/healthsync/clear-errors?urn=${encodeURIComponent(EXAMPLE_URN)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_json');
  });
});
