/**
 * Reads the model (and the tee, when on) and writes the healthsync catalog.
 * Each stream and each sub stream is an entity block, re-rendered only when
 * its version moved; the freshness ratio depends on `now` and is written
 * outside the blocks, at every scrape.
 */
import { familiesOf } from '../core/catalog.js';
import { toSeconds } from '../core/clock.js';
import type { MetricSource, SampleWriter } from '../core/exposition.js';
import { healthsyncCatalog as c } from './catalog.js';
import { HealthModel } from './model.js';
import { ERROR_CODES, HEALTH_VALUES, type Health } from './protocol.js';
import type { Stream, SubStream } from './state.js';
import type { Spool } from './tee/spool.js';
import { FAILURE_REASONS, NEVER_TAKEN, type TeeForwarder } from './tee/forwarder.js';

export interface TeeParts {
  spool: Spool;
  forwarder: TeeForwarder;
}

export class HealthsyncView implements MetricSource {
  readonly families = familiesOf(c);

  constructor(
    private readonly model: HealthModel,
    private readonly tee?: TeeParts,
  ) {}

  collect(w: SampleWriter, now: number): void {
    for (const stream of this.model.streams()) {
      w.entity(stream.entityKey, stream.version, (e) => writeStream(e, stream));
      for (const sub of stream.subStreams.values()) {
        w.entity(sub.entityKey, sub.version, (e) => writeSubStream(e, sub));
        const since = HealthModel.freshSince(sub);
        if (sub.isSetUp && sub.record.repeatMs && since !== undefined) {
          w.sample(c.healthsync_substream_freshness_ratio, [stream.urn, sub.record.id], Math.max(0, now - since) / sub.record.repeatMs);
        }
      }
    }
    const m = this.model;
    w.sample(c.healthsync_untracked_messages_total, ['streams'], m.untracked.streams);
    w.sample(c.healthsync_untracked_messages_total, ['substreams'], m.untracked.substreams);
    w.sample(c.healthsync_untracked_check_states_total, [], m.budget.refused);
    if (this.tee) writeTee(w, this.tee);
  }
}

function writeStream(w: SampleWriter, stream: Stream): void {
  const { urn, model, messages, errors, expired } = stream.record;
  w.sample(c.healthsync_stream_info, [urn, model], 1);
  w.sample(c.healthsync_substreams, [urn], stream.setUpCount());
  for (const [claimed, n] of Object.entries(messages)) w.sample(c.healthsync_messages_total, [urn, claimed], n);
  for (const code of ERROR_CODES) {
    const n = errors[code];
    if (n !== undefined) w.sample(c.healthsync_errors_total, [urn, code], n);
  }
  w.sample(c.healthsync_substreams_expired_total, [urn], expired);
}

function writeSubStream(w: SampleWriter, sub: SubStream): void {
  const r = sub.record;
  const labels = [r.urn, r.id];
  for (const code of ERROR_CODES) if (r.errors[code] !== undefined) w.sample(c.healthsync_substream_error, [r.urn, r.id, code], 1);
  if (!sub.isSetUp) return;

  const model = sub.stream.record.model;
  if (r.lastCompleteAt !== undefined) w.sample(c.healthsync_substream_last_complete_timestamp_seconds, labels, toSeconds(r.lastCompleteAt));
  if (r.lastDataAt !== undefined) w.sample(c.healthsync_substream_last_message_timestamp_seconds, labels, toSeconds(r.lastDataAt));
  if (r.repeatMs !== undefined) {
    w.sample(c.healthsync_substream_repeat_interval_seconds, labels, toSeconds(r.repeatMs));
    w.sample(c.healthsync_substream_expiry_interval_seconds, labels, toSeconds(r.expiryMs ?? 0));
  }
  if (model === 'REPEAT_SNAPSHOTS') w.sample(c.healthsync_substream_snapshot_open, labels, r.snapshot ? 1 : 0);
  if (r.checkpoint) {
    w.sample(c.healthsync_checkpoint_offset, labels, r.checkpoint.offset);
    if (r.checkpoint.batchIndex !== undefined) w.sample(c.healthsync_checkpoint_batch_index, labels, r.checkpoint.batchIndex);
  }
  const byHealth = new Map<Health, number>(HEALTH_VALUES.map((h) => [h, 0]));
  for (const state of sub.states.values()) byHealth.set(state.h, byHealth.get(state.h)! + 1);
  for (const [health, n] of byHealth) w.sample(c.healthsync_check_states, [r.urn, r.id, health], n);
}

function writeTee(w: SampleWriter, { spool, forwarder }: TeeParts): void {
  w.sample(c.healthsync_tee_spool_payloads, [], spool.depth);
  w.sample(c.healthsync_tee_spool_bytes, [], spool.size);
  w.sample(c.healthsync_tee_spool_limit_bytes, [], spool.maxBytes);
  if (spool.oldestReceivedAt !== undefined) w.sample(c.healthsync_tee_spool_oldest_timestamp_seconds, [], toSeconds(spool.oldestReceivedAt));
  w.sample(c.healthsync_tee_forwarded_total, [], forwarder.forwarded);
  if (forwarder.lastSuccessAt !== undefined) w.sample(c.healthsync_tee_last_success_timestamp_seconds, [], toSeconds(forwarder.lastSuccessAt));
  for (const reason of FAILURE_REASONS) w.sample(c.healthsync_tee_forward_failures_total, [reason], forwarder.failures.get(reason) ?? 0);
  // Every status that drops is written from the start, at 0, so increase() sees the first drop.
  for (const status of NEVER_TAKEN) w.sample(c.healthsync_tee_dropped_total, [String(status)], forwarder.dropped.get(status) ?? 0);
}
