/**
 * The REPEAT_SNAPSHOTS sources. A host agent reports a sub stream (its host
 * name) on each agent stream, all in one payload per resend, and some of its
 * snapshots span several messages. A central source reports one stream's
 * default sub stream (no expiry), always as start; check states…; stop.
 */
import { CheckSet } from './checks.js';
import { commonObject, snapshotItem, type HealthItem, type StreamRef } from './format.js';
import { Sender, sendInOrder, type SenderContext } from './sender.js';

export interface HostSubStream {
  urn: string;
  checks: CheckSet;
  /** Snapshots span several messages. */
  multi: boolean;
}

/** A snapshot as messages: one holding it all, or start; check states in chunks; stop. */
function snapshotMessages(stream: StreamRef, ctx: SenderContext, states: readonly unknown[], multi: boolean, withStop = true): HealthItem[] {
  const start = stream.sub_stream_id === undefined ? { repeat_interval_s: ctx.repeatS } : { repeat_interval_s: ctx.repeatS, expiry_interval_s: ctx.expiryS };
  if (!multi) return [snapshotItem(stream, { start, checkStates: [...states], stop: withStop })];
  const items = [snapshotItem(stream, { start })];
  for (let i = 0; i < states.length; i += ctx.perMessage) items.push(snapshotItem(stream, { checkStates: states.slice(i, i + ctx.perMessage) }));
  if (withStop) items.push(snapshotItem(stream, { stop: true }));
  return items;
}

export class HostAgent extends Sender {
  /** Fault: this stream's snapshots carry a check state the receiver's transformation cannot read. */
  unreadableIn: string | undefined;

  constructor(
    host: string,
    readonly subStreams: readonly HostSubStream[],
    ctx: SenderContext,
  ) {
    super(host, ctx, ctx.sendMs);
  }

  protected async cycle(): Promise<void> {
    const sequences = this.subStreams.map((s) => {
      s.checks.churn(this.ctx.healthChangeShare);
      const states: unknown[] = [...s.checks.all()];
      // A check state without its name: "Missing required field 'name'".
      if (s.urn === this.unreadableIn) states.push({ checkStateId: `${this.name}-unnamed`, health: 'Critical', topologyElementIdentifier: `urn:host:/${this.name}` });
      return snapshotMessages({ urn: s.urn, sub_stream_id: this.name }, this.ctx, states, s.multi);
    });
    const payloads = Math.max(0, ...sequences.map((q) => q.length));
    const bodies = Array.from({ length: payloads }, (_, i) => commonObject(this.name, sequences.flatMap((q) => (q[i] ? [q[i]] : []))));
    await sendInOrder(this.ctx, bodies);
  }
}

export class CentralSource extends Sender {
  /** Fault: sends start and check states, never the stop. */
  omitStop = false;
  readonly checks: CheckSet;

  constructor(
    readonly urn: string,
    checkStates: number,
    ctx: SenderContext,
  ) {
    super(urn, ctx, ctx.sendMs);
    this.checks = new CheckSet(urn.split(':').at(-1)!, `urn:service:/${urn.split(':').at(-1)}`, checkStates);
  }

  protected async cycle(): Promise<void> {
    this.checks.churn(this.ctx.healthChangeShare);
    const items = snapshotMessages({ urn: this.urn }, this.ctx, this.checks.all(), true, !this.omitStop);
    await sendInOrder(
      this.ctx,
      items.map((item) => commonObject('central-monitor', [item])),
    );
  }
}
