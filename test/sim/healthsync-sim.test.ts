/**
 * The healthsync simulator against the real healthsync exporter (tee mode,
 * pointed at the simulator's fake receiver): each fault drives the
 * exporter into the condition its alert watches, and clearing it brings the
 * exporter back. The exporter runs on a manual clock; its time moves half a
 * second at a time, and at each step every running source resends at the
 * new time before the exporter ticks — as in real time, only faster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../exporters/core/log.js';
import { healthsyncExporter, type HealthsyncExporter } from '../../exporters/healthsync/index.js';
import type { HealthModel } from '../../exporters/healthsync/model.js';
import { healthsyncSimSchema } from '../../sim/healthsync/config.js';
import { HealthsyncSimulator } from '../../sim/healthsync/simulator.js';
import { sampleValue, startTestExporter, type TestExporter } from '../support/exporter.js';
import { freePort } from '../support/ports.js';

const STREAM_LIMIT = 12;
const SPOOL_MAX_BYTES = 16 * 1024 * 1024;
const API_KEY = 'sim-key';

interface Running {
  exporter: TestExporter;
  instance: HealthsyncExporter;
  sim: HealthsyncSimulator;
}

/** An exporter in tee mode and the simulator on short intervals: sources resend every 0.1 s (declaring 1 s), host sub streams expire after 4 s. */
async function startBoth(simOverrides: Record<string, unknown> = {}): Promise<Running> {
  const receiverPort = await freePort();
  const exporter = await startTestExporter(healthsyncExporter, {
    sets: [
      `tee.url=http://127.0.0.1:${receiverPort}/receiver/stsAgent/intake`,
      'tee.backoff_initial_seconds=0.02',
      'tee.backoff_max_seconds=0.1',
      `tee.spool_max_bytes=${SPOOL_MAX_BYTES}`,
      `limits.streams=${STREAM_LIMIT}`,
      `api_keys=[${API_KEY}]`,
    ],
  });
  const sim = new HealthsyncSimulator(
    healthsyncSimSchema.parse({
      intake_url: `${exporter.url}/receiver/stsAgent/intake`,
      api_key: API_KEY,
      agent_streams: 2,
      hosts: 4,
      central_streams: 1,
      states_streams: 2,
      increment_partitions: 3,
      check_states: 6,
      check_states_per_message: 4,
      multi_message_share: 0.5,
      repeat_interval_seconds: 0.1,
      increment_interval_seconds: 0.1,
      churn: { interval_seconds: 0 },
      exporter_stream_limit: STREAM_LIMIT,
      receiver: { port: receiverPort, exporter_spool_max_bytes: SPOOL_MAX_BYTES },
      ...simOverrides,
    }),
    silentLogger,
  );
  await sim.start();
  await sim.round();
  return { exporter, instance: exporter.instance as HealthsyncExporter, sim };
}

/** Moves the exporter's clock on half a second at a time; at each step every running source resends at the new time, then the exporter ticks. */
async function passTime(r: Running, seconds: number): Promise<void> {
  for (let left = seconds; left > 0; left -= 0.5) {
    r.exporter.clock.advance(Math.min(0.5, left) * 1000);
    await r.sim.round();
    await r.instance.tick();
  }
}

/** Waits for a real event (a message, a delivery); bounded. */
async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 250 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(condition(), what).toBe(true);
}

/** Every active error, as `<urn>#<sub stream>: <code>`. */
function activeErrors(model: HealthModel): string[] {
  const out: string[] = [];
  for (const stream of model.streams()) {
    for (const sub of stream.subStreams.values()) for (const code of Object.keys(sub.record.errors)) out.push(`${stream.urn}#${sub.record.id}: ${code}`);
  }
  return out.sort();
}

const errorsOf = (model: HealthModel, urn: string, sub = '') => Object.keys(model.subStream(urn, sub)?.record.errors ?? {}).sort();

/** `urn#sub` as the simulator names a sub stream it targets. */
function subStreamOf(target: string): [string, string] {
  const i = target.lastIndexOf('#');
  return i < 0 ? [target, ''] : [target.slice(0, i), target.slice(i + 1)];
}

/** Sub streams with a repeat interval (set up) or expired, and those late or expired: the two sides of HealthSyncManySubStreamsLate. */
function staleness(model: HealthModel): { repeating: number; stale: number } {
  let repeating = 0;
  let stale = 0;
  for (const stream of model.streams()) {
    for (const sub of stream.subStreams.values()) {
      const expired = sub.has('SubStreamExpired');
      if (!(sub.isSetUp && sub.record.repeatMs) && !expired) continue;
      repeating += 1;
      if (expired || sub.has('SubStreamLateData')) stale += 1;
    }
  }
  return { repeating, stale };
}

describe('the healthsync simulator', () => {
  let r: Running;
  const model = () => r.instance.model;
  const scrape = () => r.exporter.scrape();

  beforeAll(async () => {
    r = await startBoth();
  });

  afterAll(async () => {
    await r?.sim.stop();
    await r?.exporter.stop();
  });

  it('brings up all three consistency models, multi-message snapshots included, and the tee delivers to the fake receiver', async () => {
    const { sim } = r;
    for (const urn of [...sim.agentUrns, sim.centrals[0]!.urn]) expect(model().stream(urn)?.record.model).toBe('REPEAT_SNAPSHOTS');
    for (const s of sim.states) expect(model().stream(s.urn)?.record.model).toBe('REPEAT_STATES');
    expect(model().stream(sim.producer!.urn)?.record.model).toBe('TRANSACTIONAL_INCREMENTS');

    for (const urn of sim.agentUrns) {
      expect(model().stream(urn)!.setUpCount()).toBe(4);
      for (const host of sim.hosts) expect(model().subStream(urn, host.name)!.states.size).toBe(6);
    }
    expect(sim.hosts.some((h) => h.subStreams.some((s) => s.multi))).toBe(true);
    // 6 check states, at most 4 a message: start; 4; 2; stop.
    expect(model().subStream(sim.centrals[0]!.urn)!.states.size).toBe(6);
    for (const p of sim.producer!.partitions) expect(model().subStream(sim.producer!.urn, p.id)!.record.checkpoint).toBeDefined();

    await passTime(r, 3);
    expect(activeErrors(model())).toEqual([]);
    for (const stream of model().streams()) expect(stream.record.errors).toEqual({});
    await until(() => (sim.stats().receiver['200'] ?? 0) > 10, 'the tee forwarded to the fake receiver');
    expect(sim.stats()).toMatchObject({ refused: 0, unanswered: 0 });
  });

  it('healthsync-substream-late: a source without expiry goes late, and comes back', async () => {
    const { target } = await r.sim.inject('healthsync-substream-late');
    await passTime(r, 2.5);
    expect(errorsOf(model(), target)).toEqual(['SubStreamLateData']);
    expect(activeErrors(model())).toEqual([`${target}#: SubStreamLateData`]);
    const text = await scrape();
    expect(sampleValue(text, 'healthsync_substream_freshness_ratio', { stream: target, sub_stream: '' })).toBeGreaterThan(2);
    expect(sampleValue(text, 'healthsync_substream_error', { stream: target, sub_stream: '', code: 'SubStreamLateData' })).toBe(1);

    await r.sim.clear('healthsync-substream-late');
    expect(activeErrors(model())).toEqual([]);
    expect(sampleValue(await scrape(), 'healthsync_substream_freshness_ratio', { stream: target, sub_stream: '' })).toBe(0);
  });

  it('healthsync-substream-expired: a host stops for longer than its expiry; its sub streams expire, and are set up again', async () => {
    const { target: host } = await r.sim.inject('healthsync-substream-expired');
    await passTime(r, 4.5);
    for (const urn of r.sim.agentUrns) {
      expect(errorsOf(model(), urn, host)).toEqual(['SubStreamExpired']);
      expect(model().subStream(urn, host)!.states.size).toBe(0);
      expect(sampleValue(await scrape(), 'healthsync_substreams', { stream: urn })).toBe(3);
    }
    expect(activeErrors(model()).every((e) => e.endsWith(`#${host}: SubStreamExpired`))).toBe(true);

    await r.sim.clear('healthsync-substream-expired');
    expect(activeErrors(model())).toEqual([]);
    for (const urn of r.sim.agentUrns) expect(model().stream(urn)!.setUpCount()).toBe(4);
  });

  it('healthsync-snapshot-missing-stop: snapshots left open are stopped automatically; a stopped snapshot ends it', async () => {
    const { target } = await r.sim.inject('healthsync-snapshot-missing-stop');
    expect(model().subStream(target)!.record.snapshot).toBeDefined();
    await passTime(r, 2.5);
    expect(errorsOf(model(), target)).toEqual(['SubStreamLateData', 'SubStreamMissingStop']);
    const text = await scrape();
    expect(sampleValue(text, 'healthsync_substream_snapshot_open', { stream: target, sub_stream: '' })).toBe(0);
    expect(sampleValue(text, 'healthsync_substream_error', { stream: target, sub_stream: '', code: 'SubStreamMissingStop' })).toBe(1);
    expect(sampleValue(text, 'healthsync_substream_freshness_ratio', { stream: target, sub_stream: '' })).toBeGreaterThan(2);

    await r.sim.clear('healthsync-snapshot-missing-stop');
    expect(activeErrors(model())).toEqual([]);
  });

  it('healthsync-checkpoint-gap: a lost increment breaks the chain until the source resyncs and the error is cleared', async () => {
    const { target } = await r.sim.inject('healthsync-checkpoint-gap');
    const [urn, partition] = subStreamOf(target);
    expect(errorsOf(model(), urn, partition)).toEqual(['SubStreamInvalidCheckpoint']);
    await r.sim.round();
    // Sticky: the chain goes on, the error stays; nothing else goes wrong.
    expect(activeErrors(model())).toEqual([`${target}: SubStreamInvalidCheckpoint`]);
    const text = await scrape();
    expect(sampleValue(text, 'healthsync_substream_error', { stream: urn, sub_stream: partition, code: 'SubStreamInvalidCheckpoint' })).toBe(1);
    expect(sampleValue(text, 'healthsync_checkpoint_offset', { stream: urn, sub_stream: partition })).toBeGreaterThan(0);

    await r.sim.clear('healthsync-checkpoint-gap');
    await r.sim.round();
    expect(activeErrors(model())).toEqual([]);
  });

  it('healthsync-unknown-check-state: a delete of an incident never opened, until cleared', async () => {
    const { target } = await r.sim.inject('healthsync-unknown-check-state');
    const [urn, partition] = subStreamOf(target);
    await r.sim.round();
    expect(activeErrors(model())).toEqual([`${target}: SubStreamUnknownCheckState`]);
    expect(sampleValue(await scrape(), 'healthsync_substream_error', { stream: urn, sub_stream: partition, code: 'SubStreamUnknownCheckState' })).toBe(1);

    await r.sim.clear('healthsync-unknown-check-state');
    await r.sim.round();
    expect(activeErrors(model())).toEqual([]);
  });

  it('healthsync-transformer-error: a nameless check state in every snapshot; the rest still applies', async () => {
    const { target } = await r.sim.inject('healthsync-transformer-error');
    const [urn, host] = subStreamOf(target);
    await r.sim.round();
    expect(activeErrors(model())).toEqual([`${target}: SubStreamTransformerError`]);
    expect(model().subStream(urn, host)!.states.size).toBe(6);
    expect(model().subStream(urn, host)!.record.lastCompleteAt).toBe(r.exporter.clock.now());

    await r.sim.clear('healthsync-transformer-error');
    expect(activeErrors(model())).toEqual([]);
  });

  it('healthsync-model-mismatch and healthsync-missing-substream: messages that are never applied, until the senders stop and the errors are cleared', async () => {
    const mismatch = subStreamOf((await r.sim.inject('healthsync-model-mismatch')).target);
    const missing = subStreamOf((await r.sim.inject('healthsync-missing-substream')).target);
    await r.sim.round();
    expect(activeErrors(model())).toEqual(
      [`${mismatch.join('#')}: StreamConsistencyModelMismatch`, `${missing.join('#')}: StreamMissingSubStream`].sort(),
    );
    const text = await scrape();
    expect(sampleValue(text, 'healthsync_messages_total', { stream: mismatch[0], consistency_model: 'REPEAT_STATES' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'healthsync_substream_error', { stream: missing[0], sub_stream: missing[1], code: 'StreamMissingSubStream' })).toBe(1);

    await r.sim.clear('healthsync-model-mismatch');
    await r.sim.clear('healthsync-missing-substream');
    expect(activeErrors(model())).toEqual([]);
    expect(model().subStream(...mismatch)).toBeUndefined();
    expect(model().subStream(...missing)).toBeUndefined();
  });

  it('healthsync-intake-rejecting: a sender the intake refuses, until it stops', async () => {
    const rejected = async () => sampleValue(await scrape(), 'fleetwatch_rejected_requests_total', { exporter: 'healthsync', reason: 'invalid_payload' }) ?? 0;
    await r.sim.inject('healthsync-intake-rejecting');
    const first = await rejected();
    expect(first).toBeGreaterThan(0);
    await r.sim.round();
    await r.sim.round();
    expect(await rejected()).toBeGreaterThan(first);

    await r.sim.clear('healthsync-intake-rejecting');
    const after = await rejected();
    await r.sim.round();
    expect(await rejected()).toBe(after);
    expect(activeErrors(model())).toEqual([]);
  });

  it('healthsync-limit-reached: minted stream ids past the limit go untracked; clearing deletes them', async () => {
    const own = [...model().streams()].length;
    await r.sim.inject('healthsync-limit-reached');
    expect([...model().streams()].length).toBe(STREAM_LIMIT);
    const first = model().untracked.streams;
    expect(first).toBe(STREAM_LIMIT + 5 - (STREAM_LIMIT - own));
    await until(() => model().untracked.streams >= 3 * first, 'untracked messages keep coming');
    expect(sampleValue(await scrape(), 'healthsync_untracked_messages_total', { limit: 'streams' })).toBeGreaterThanOrEqual(3 * first);

    await r.sim.clear('healthsync-limit-reached');
    expect([...model().streams()].length).toBe(own);
    const after = model().untracked.streams;
    await r.sim.round();
    expect(model().untracked.streams).toBe(after);
    expect(activeErrors(model())).toEqual([]);
  });

  it('healthsync-tee-dropping, then healthsync-tee-stalled (the order the end-to-end test injects them): a drop, then a stall; both clear', async () => {
    const tee = r.instance.tee!;
    const forwarded = tee.forwarder.forwarded;
    await r.sim.inject('healthsync-tee-dropping');
    // The inject waits until the proxy has refused the first large payload; the exporter counts it as it reads the answer.
    // The large payload comes back every second here, so a slow machine may see it dropped again.
    await until(() => (tee.forwarder.dropped.get(413) ?? 0) >= 1, 'a payload dropped');
    await until(() => tee.forwarder.forwarded > forwarded + 10, 'the rest delivered');
    expect(sampleValue(await scrape(), 'healthsync_tee_dropped_total', { status: '413' })).toBeGreaterThanOrEqual(1);

    await r.sim.inject('healthsync-tee-stalled');
    await until(() => tee.spool.depth > 10 && (tee.forwarder.failures.get('http_5xx') ?? 0) > 0, 'payloads wait in the spool');
    const text = await scrape();
    expect(sampleValue(text, 'healthsync_tee_spool_oldest_timestamp_seconds')).toBeDefined();
    expect(sampleValue(text, 'healthsync_tee_forward_failures_total', { reason: 'http_5xx' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'healthsync_tee_dropped_total', { status: '413' })).toBeGreaterThanOrEqual(1);

    await r.sim.clear('healthsync-tee-dropping');
    const droppedBeforeTheLimitWent = tee.forwarder.dropped.get(413);
    await r.sim.clear('healthsync-tee-stalled');
    await until(() => tee.spool.depth === 0, 'the spool drains');
    // Large payloads queued behind the stall went through once the limit was gone.
    expect(tee.forwarder.dropped.get(413)).toBe(droppedBeforeTheLimitWent);
    expect(activeErrors(model())).toEqual([]);
  });

  it('healthsync-tee-spool-filling (exclusive): upstream down and a topology burst fill the spool past half, short of full', async () => {
    const tee = r.instance.tee!;
    await r.sim.inject('healthsync-tee-spool-filling');
    const text = await scrape();
    const used = sampleValue(text, 'healthsync_tee_spool_bytes')! / sampleValue(text, 'healthsync_tee_spool_limit_bytes')!;
    expect(used).toBeGreaterThan(0.6);
    expect(used).toBeLessThan(0.9);
    expect(r.sim.stats().refused).toBe(0);

    await r.sim.clear('healthsync-tee-spool-filling');
    await until(() => tee.spool.depth === 0, 'the spool drains');
  });

  it('healthsync-many-late (exclusive): a network cut leaves most sub streams late at once, and they recover', async () => {
    const { target } = await r.sim.inject('healthsync-many-late');
    expect(target).toMatch(/^\d+ of 11 repeating sub streams$/);
    await passTime(r, 2.5);
    const { repeating, stale } = staleness(model());
    expect(repeating).toBe(11);
    expect(stale / repeating).toBeGreaterThan(0.5);

    await r.sim.clear('healthsync-many-late');
    expect(staleness(model()).stale).toBe(0);
    expect(activeErrors(model())).toEqual([]);
  });

  it('names a fault for every healthsync alert, and no fault twice', async () => {
    const { healthsyncRules } = await import('../../alerts/rules/healthsync.js');
    const raised = new Set(r.sim.faults.flatMap((f) => f.alerts));
    for (const rule of healthsyncRules.alerts) expect(raised.has(rule.alert), rule.alert).toBe(true);
    expect(new Set(r.sim.faults.map((f) => f.name)).size).toBe(r.sim.faults.length);
    for (const f of r.sim.faults) expect(f.name).toMatch(/^healthsync-[a-z]+(-[a-z]+)*$/);
  });
});

describe('the healthsync simulator background', () => {
  let r: Running;

  beforeAll(async () => {
    r = await startBoth({ churn: { interval_seconds: 0.05, health_change_share: 0.3 } });
  });

  afterAll(async () => {
    await r?.sim.stop();
    await r?.exporter.stop();
  });

  it('churns (agent restarts, health changes, incidents opened and resolved) without a single error', async () => {
    const healths = new Set<string>();
    for (let i = 0; i < 8; i++) {
      await passTime(r, 0.5);
      for (const stream of r.instance.model.streams()) for (const sub of stream.subStreams.values()) for (const s of sub.states.values()) healths.add(s.h);
    }
    await until(() => r.sim.stats().restarts >= 3, 'agents restarted');
    await passTime(r, 1);
    expect([...healths].sort()).toEqual(['CLEAR', 'CRITICAL', 'DEVIATING']);
    for (const stream of r.instance.model.streams()) expect(stream.record.errors, stream.urn).toEqual({});
    expect(activeErrors(r.instance.model)).toEqual([]);
    expect(r.sim.stats()).toMatchObject({ refused: 0, unanswered: 0 });
  });
});
