/**
 * Senders that misuse the format or the intake, each started by a fault and
 * dropped when it clears: a second integration claiming another consistency
 * model on a stream, one writing `expire` for `expiry`, one whose payloads
 * the intake refuses, one minting a new stream id per pod, and one sending
 * topology too large for the upstream receiver.
 */
import { randomBytes } from 'node:crypto';
import { CheckSet } from './checks.js';
import { commonObject, healthUrn, incrementItem, statesItem, topologyBody, type HealthItem } from './format.js';
import { Sender, type SenderContext } from './sender.js';

/** REPEAT_STATES messages on a stream created as REPEAT_SNAPSHOTS: StreamConsistencyModelMismatch, never applied. */
export class ModelMismatchSender extends Sender {
  private readonly checks = new CheckSet('second-integration', 'urn:host:/second-integration', 3);

  constructor(
    readonly urn: string,
    readonly subStreamId: string,
    ctx: SenderContext,
    periodMs: number,
  ) {
    super(subStreamId, ctx, periodMs);
  }

  protected async cycle(): Promise<void> {
    const item = statesItem({ urn: this.urn, sub_stream_id: this.subStreamId }, { repeat_interval_s: this.ctx.repeatS, expiry_interval_s: this.ctx.expiryS }, [...this.checks.all()]);
    await this.ctx.client.post(commonObject(this.subStreamId, [item]));
  }
}

/**
 * REPEAT_STATES with `"expire"` and string intervals, as a third-party
 * integration writes it (the reference warns against copying it): the
 * sub stream is never set up, so StreamMissingSubStream, never applied.
 */
export class MisspelledExpirySender extends Sender {
  private readonly checks = new CheckSet('policy', 'urn:cluster:/policies', 3);

  constructor(
    readonly urn: string,
    readonly subStreamId: string,
    ctx: SenderContext,
    periodMs: number,
  ) {
    super(subStreamId, ctx, periodMs);
  }

  protected async cycle(): Promise<void> {
    const item: HealthItem = {
      consistency_model: 'REPEAT_STATES',
      expire: { repeat_interval_s: String(this.ctx.repeatS), expiry_interval_s: String(this.ctx.expiryS) },
      stream: { urn: this.urn, sub_stream_id: this.subStreamId },
      check_states: [...this.checks.all()],
    };
    await this.ctx.client.post(commonObject(this.subStreamId, [item]));
  }
}

/** A snapshot whose `repeat_interval_s` is a string: the intake refuses the whole payload (400 invalid_payload). */
export class MalformedSender extends Sender {
  private readonly checks = new CheckSet('legacy', 'urn:host:/legacy-agent', 3);

  constructor(ctx: SenderContext, periodMs: number) {
    super('legacy-agent', ctx, periodMs);
  }

  protected async cycle(): Promise<void> {
    const item: HealthItem = {
      consistency_model: 'REPEAT_SNAPSHOTS',
      start_snapshot: { repeat_interval_s: String(this.ctx.repeatS), expiry_interval_s: String(this.ctx.expiryS) },
      stop_snapshot: {},
      stream: { urn: healthUrn('sim-legacy', 'checks'), sub_stream_id: this.name },
      check_states: [...this.checks.all()],
    };
    await this.ctx.client.post(commonObject(this.name, [item]));
  }
}

/**
 * A sender that puts a pod name in the stream id: `count` streams, each
 * resent every cycle as a TRANSACTIONAL_INCREMENTS increment (no lateness,
 * no expiry, so they stay out of the freshness alerts). Past the exporter's
 * stream limit its messages are accepted but not tracked.
 */
export class StreamMinter extends Sender {
  readonly urns: string[];
  private offset = 0;

  constructor(count: number, ctx: SenderContext, periodMs: number) {
    super('stream-minter', ctx, periodMs);
    this.urns = Array.from({ length: count }, () => healthUrn('sim-minted', `checkout-worker-${randomBytes(4).toString('hex')}`));
  }

  protected async cycle(): Promise<void> {
    const checkpoint = { offset: this.offset + 1 };
    const previous = this.offset > 0 ? { offset: this.offset } : undefined;
    const items = this.urns.map((urn) => incrementItem({ urn }, checkpoint, previous, [{ checkStateId: 'pod', name: 'Pod ready', topologyElementIdentifier: urn, health: 'Clear' }]));
    // One payload, so the chain of every stream moves on together or not at all.
    if ((await this.ctx.client.post(commonObject('stream-minter', items))) === 200) this.offset += 1;
  }

  /** As the runbook says: delete the junk streams (those never tracked answer 404). */
  async deleteStreams(): Promise<void> {
    for (let i = 0; i < this.urns.length; i += 20) await Promise.all(this.urns.slice(i, i + 20).map((urn) => this.ctx.client.deleteStream(urn)));
  }
}

/** An agent resending a large topology (no health): fleetwatch accepts it, its tee forwards it. */
export class TopologySender extends Sender {
  constructor(
    private readonly bytes: number,
    ctx: SenderContext,
    periodMs: number,
  ) {
    super('topology-agent', ctx, periodMs);
  }

  protected async cycle(): Promise<void> {
    await this.ctx.client.post(topologyBody(this.name, this.bytes));
  }
}
