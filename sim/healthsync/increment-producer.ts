/**
 * A TRANSACTIONAL_INCREMENTS producer: an incident bridge reading a
 * partitioned pipeline (Kafka, say), one sub stream per partition. Every
 * cycle sends one payload holding an increment per partition: incidents
 * opened (created), changed (updated) and resolved (explicit deletes); now
 * and then a batch is split over two messages by `batch_index`.
 *
 * Each increment's `previous_checkpoint` is the last checkpoint the intake
 * accepted, and an increment not accepted is resent unchanged (at least
 * once), so the chain breaks only when a fault breaks it.
 */
import { makeCheckState, nextHealth } from './checks.js';
import { deletion, incrementItem, minimalObject, type CheckState, type Checkpoint, type HealthItem } from './format.js';
import { Sender, type SenderContext } from './sender.js';

/** Share of cycles in which one incident is resolved (deleted) and another opened. */
const TURNOVER = 0.3;
/** Share of batches split over two messages. */
const SPLIT = 0.2;

type Event = CheckState | ReturnType<typeof deletion>;

const flipped = (s: CheckState): CheckState => makeCheckState(s.checkStateId, s.name, s.topologyElementIdentifier, nextHealth(s.health));

/** An increment built and not yet accepted: its messages, and what accepting it changes. */
interface Staged {
  items: HealthItem[];
  apply(): void;
}

export class Partition {
  heldBy: string | undefined;
  /** Fault: the next increment is lost on the way, so the one after it names a checkpoint the exporter never saw. */
  loseNext = false;
  /** Fault: the next increment deletes a check state this sub stream never had. */
  deleteUnknown = false;
  /** The next increment restates every open incident (after a gap, before clearing the error). */
  resync = false;
  private last: Checkpoint | undefined;
  private readonly open = new Map<string, CheckState>();
  private staged: Staged | undefined;
  private serial = 0;

  constructor(
    readonly urn: string,
    readonly id: string,
    private readonly size: number,
    /** Offsets start from the start time, so they only grow, as a pipeline's do, across runs too. */
    private readonly firstOffset: number,
  ) {}

  /** This cycle's messages: the staged increment if it was not accepted yet, else a new one. */
  next(ctx: SenderContext): HealthItem[] {
    if (this.staged) return this.staged.items;
    if (this.loseNext) {
      this.loseNext = false;
      // Only a health change is lost, so later deletes still name states the exporter has.
      const first = this.open.values().next().value;
      this.stage(first ? [flipped(first)] : []).apply();
    }
    this.staged = this.stage(this.events(ctx));
    return this.staged.items;
  }

  /** The intake accepted this cycle's payload. */
  accepted(): void {
    this.staged?.apply();
    this.staged = undefined;
  }

  private events(ctx: SenderContext): Event[] {
    if (this.resync) {
      this.resync = false;
      return [...this.open.values()].map((s) => ({ ...s }));
    }
    const out: Event[] = [];
    if (this.deleteUnknown) {
      this.deleteUnknown = false;
      out.push(deletion(`${this.id}-incident-never-opened-${this.serial++}`));
    }
    const changed = [...this.open.values()].filter(() => Math.random() < ctx.healthChangeShare);
    out.push(...changed.map(flipped));
    const room = Math.min(this.size - this.open.size, ctx.perMessage);
    for (let i = 0; i < room; i++) out.push(this.opened());
    const resolvable = [...this.open.keys()].filter((id) => !changed.some((c) => c.checkStateId === id));
    if (room <= 0 && resolvable.length > 0 && Math.random() < TURNOVER) {
      out.push(deletion(resolvable[Math.floor(Math.random() * resolvable.length)]!), this.opened());
    }
    return out;
  }

  private opened(): CheckState {
    const n = this.serial++;
    return makeCheckState(`${this.id}-incident-${n}`, 'Incident', `urn:service:/checkout-${n % 7}`, Math.random() < 0.7 ? 'Deviating' : 'Critical');
  }

  /** The events as one message, or as a batch split over two, chained to the last checkpoint. */
  private stage(events: Event[]): Staged {
    const offset = (this.last?.offset ?? this.firstOffset - 1) + 1;
    const stream = { urn: this.urn, sub_stream_id: this.id };
    const cut = events.length >= 2 && Math.random() < SPLIT ? events.length >> 1 : events.length;
    const slices = cut < events.length ? [events.slice(0, cut), events.slice(cut)] : [events];
    const items: HealthItem[] = [];
    let previous = this.last;
    let contained = 0;
    let checkpoint: Checkpoint = { offset };
    for (const slice of slices) {
      // batch_index: the last index the message contains.
      contained += slice.length;
      checkpoint = contained > 0 ? { offset, batch_index: contained - 1 } : { offset };
      items.push(incrementItem(stream, checkpoint, previous, slice));
      previous = checkpoint;
    }
    const last = checkpoint;
    return {
      items,
      apply: () => {
        for (const e of events) {
          if ('delete' in e) this.open.delete(e.checkStateId);
          else this.open.set(e.checkStateId, e);
        }
        this.last = last;
      },
    };
  }
}

export class IncrementProducer extends Sender {
  readonly partitions: Partition[];
  private bootstrapped = false;

  constructor(
    readonly urn: string,
    partitions: number,
    checkStates: number,
    ctx: SenderContext,
    periodMs: number,
  ) {
    super(urn, ctx, periodMs);
    const firstOffset = Date.now();
    this.partitions = Array.from({ length: partitions }, (_, i) => new Partition(urn, `partition-${i}`, checkStates, firstOffset));
  }

  protected async cycle(): Promise<void> {
    if (!this.bootstrapped) {
      // It keeps no checkpoints across runs, so it starts its stream afresh, as an operator would with `sts health delete`.
      if ((await this.ctx.client.deleteStream(this.urn)) === 0) return;
      this.bootstrapped = true;
    }
    const items = this.partitions.flatMap((p) => p.next(this.ctx));
    const status = await this.ctx.client.post(minimalObject('incident-bridge', items));
    if (status === 200) for (const p of this.partitions) p.accepted();
    else this.ctx.log.debug({ status }, 'the intake did not accept the increments; resending them unchanged');
  }
}
