/**
 * Simulated health synchronisation sources, POSTing StackState receiver
 * payloads to the healthsync exporter's intake in all three consistency
 * models: host agents (REPEAT_SNAPSHOTS, a sub stream per host on each agent
 * stream, some snapshots over several messages), central sources
 * (REPEAT_SNAPSHOTS, default sub stream, multi-message), REPEAT_STATES
 * sources, and an incident bridge (TRANSACTIONAL_INCREMENTS, a sub stream
 * per partition). A fake StackState receiver takes what the exporter's tee
 * forwards. Churn: check states change health, agents restart (away for
 * half a repeat interval), incidents open and resolve. Faults: one or more
 * for every alert in alerts/rules/healthsync.ts.
 */
import type { Logger } from '../../exporters/core/log.js';
import { Schedule } from '../lib/schedule.js';
import { pickFree, type AppliedFault } from '../lib/fault-book.js';
import { FaultingSimulator } from '../lib/faulting-simulator.js';
import type { FaultSpec } from '../lib/types.js';
import { UnknownFaultError } from '../lib/types.js';
import { CheckSet } from './checks.js';
import type { HealthsyncSimConfig } from './config.js';
import { FakeReceiver } from './fake-receiver.js';
import { healthUrn, topologyBody } from './format.js';
import { IncrementProducer } from './increment-producer.js';
import { IntakeClient, type IntakeStats } from './intake-client.js';
import { MalformedSender, MisspelledExpirySender, ModelMismatchSender, StreamMinter, TopologySender } from './rogue-senders.js';
import type { Sender, SenderContext } from './sender.js';
import { CentralSource, HostAgent } from './snapshot-sources.js';
import { StatesSource } from './states-source.js';

/** The `for` of the Late alert: a sub stream whose expiry leaves this long after it goes late raises Late before Expired. */
const LATE_ALERT_FOR_S = 300;
/** Late means no complete data for this many repeat intervals (the exporter's default late_tolerance). */
const LATE_TOLERANCE = 2;
/** The exporter applies the passing of time once a second. */
const EXPORTER_TICK_S = 1;
/** Scrape and rule evaluation add up to about this much before a `for` starts counting. */
const EVALUATION_SLACK_S = 60;
/** Senders started by faults resend at least this often, so rate()/increase() over 5 minutes always sees them. */
const FAULT_SENDER_MAX_PERIOD_MS = 60_000;
/** Share of the repeating sub streams a network cut silences: well past the alert's half. */
const CUT_SHARE = 0.6;
/** The tee-dropping fault's upstream body limit is at least this (a proxy's limit). */
const MIN_UPSTREAM_LIMIT_BYTES = 64 * 1024;
/** How long the tee-dropping fault waits for the tee to forward its first large payload. */
const DROP_WAIT_MS = 30_000;
/** The large payloads are resent every this many repeat intervals, at most 10 minutes: within the alert's 30-minute window, light on a stalled spool. */
const DROP_EVERY_INTERVALS = 10;
const DROP_MAX_PERIOD_MS = 600_000;

const AGENT_CHECKS = ['system', 'services', 'network', 'storage', 'security'];

function faultSpecs(expiredAlsoLate: boolean): FaultSpec[] {
  return [
    { name: 'healthsync-substream-late', description: 'A source whose sub stream has no expiry (REPEAT_STATES or central REPEAT_SNAPSHOTS) stops sending: late after 2 repeat intervals.', alerts: ['HealthSyncSubStreamLate'] },
    {
      name: 'healthsync-substream-expired',
      description: 'A host stops sending for longer than its sub streams\' expiry interval: they expire and their check states are deleted.',
      alerts: expiredAlsoLate ? ['HealthSyncSubStreamExpired', 'HealthSyncSubStreamLate'] : ['HealthSyncSubStreamExpired'],
    },
    { name: 'healthsync-snapshot-missing-stop', description: 'A central source starts snapshots and sends their check states but never the stop; each is stopped automatically after 2 repeat intervals.', alerts: ['HealthSyncSubStreamMissingStop'] },
    { name: 'healthsync-checkpoint-gap', description: 'An increment of one partition is lost on the way, so the next names a checkpoint the exporter never saw (sticky); clearing resends the partition\'s state and clears the error.', alerts: ['HealthSyncCheckpointGap'] },
    { name: 'healthsync-transformer-error', description: 'A host\'s snapshots on one stream carry a check state without its name (SubStreamTransformerError).', alerts: ['HealthSyncStreamErrors'] },
    { name: 'healthsync-unknown-check-state', description: 'A partition deletes an incident it never opened (SubStreamUnknownCheckState, sticky); clearing clears the error.', alerts: ['HealthSyncStreamErrors'] },
    { name: 'healthsync-model-mismatch', description: 'A second integration sends REPEAT_STATES on a REPEAT_SNAPSHOTS stream (StreamConsistencyModelMismatch).', alerts: ['HealthSyncStreamErrors'] },
    { name: 'healthsync-missing-substream', description: 'An integration writes "expire" with string intervals for "expiry", so its sub stream is never set up (StreamMissingSubStream).', alerts: ['HealthSyncStreamErrors'] },
    { name: 'healthsync-many-late', description: 'A network cut: the senders of 60% of the repeating sub streams stop at once.', alerts: ['HealthSyncManySubStreamsLate'], exclusive: true },
    { name: 'healthsync-intake-rejecting', description: 'A sender posts snapshots with repeat_interval_s as a string; the intake refuses every one (400 invalid_payload).', alerts: ['HealthSyncIntakeRejecting'] },
    { name: 'healthsync-limit-reached', description: 'A sender mints a stream id per pod, past the exporter\'s stream limit; clearing deletes those streams.', alerts: ['HealthSyncLimitReached'] },
    // Before tee-stalled: its payload must reach upstream (and be dropped) before a stall can hold it back.
    {
      name: 'healthsync-tee-dropping',
      description: 'A proxy in front of the upstream receiver limits bodies: large topology payloads get 413 and the tee drops them. Inject before healthsync-tee-stalled when both are wanted.',
      alerts: ['HealthSyncTeeDropping'],
    },
    { name: 'healthsync-tee-stalled', description: 'The upstream receiver answers 503 (behind the proxy, which still refuses large bodies): the tee retries and the oldest spooled payload ages.', alerts: ['HealthSyncTeeDeliveryStalled'] },
    {
      name: 'healthsync-tee-spool-filling',
      description: 'The upstream receiver answers 503 while an agent resends a large topology: the tee spool fills past half at once.',
      alerts: ['HealthSyncTeeSpoolFilling'],
      exclusive: true,
    },
  ];
}

/** Spreads multi-message snapshots evenly over hosts and streams (golden-ratio sequence). */
const isMultiMessage = (n: number, share: number) => (n * 0.6180339887) % 1 < share;

/** The repeat and expiry intervals the fleet's sub streams declare, in whole seconds. */
function intervalsOf(config: HealthsyncSimConfig): { repeatS: number; expiryS: number } {
  const repeatS = Math.max(1, Math.ceil(config.repeat_interval_seconds));
  return { repeatS, expiryS: repeatS * config.expiry_repeat_intervals };
}

/** The faults this fleet shows: an expiring sub stream also counts as late if it stays late long enough for the Late alert. */
function faultsFor(config: HealthsyncSimConfig): FaultSpec[] {
  const { repeatS, expiryS } = intervalsOf(config);
  // Late from 2 intervals until expiry deletes the sub stream (and its Late error).
  return faultSpecs(expiryS - LATE_TOLERANCE * repeatS > LATE_ALERT_FOR_S + EVALUATION_SLACK_S);
}

export class HealthsyncSimulator extends FaultingSimulator {
  readonly domain = 'healthsync' as const;
  readonly hosts: HostAgent[];
  readonly centrals: CentralSource[];
  readonly states: StatesSource[];
  readonly producer: IncrementProducer | undefined;
  readonly agentUrns: string[];
  private readonly schedule = new Schedule();
  private readonly client: IntakeClient;
  private readonly ctx: SenderContext;
  /** Faults' own senders talk through a client of their own, so the fleet's stats stay the fleet's. */
  private readonly faultCtx: SenderContext;
  private readonly rogues = new Set<Sender>();
  private readonly roundWaiters = new Set<() => void>();
  private receiver: FakeReceiver | undefined;
  /** The upstream the fake receiver plays: down (503), and a proxy's body limit (413), each held by one fault. */
  private readonly upstream: { downBy?: string; limitBy?: string; limitBytes: number } = { limitBytes: 0 };
  /** Agent restarts done by churn. */
  private restarts = 0;

  constructor(
    private readonly config: HealthsyncSimConfig,
    private readonly log: Logger,
  ) {
    super(faultsFor(config), log);
    const { repeatS, expiryS } = intervalsOf(config);
    this.client = new IntakeClient(config.intake_url, config.api_key);
    this.ctx = {
      client: this.client,
      schedule: this.schedule,
      log,
      sendMs: config.repeat_interval_seconds * 1000,
      repeatS,
      expiryS,
      healthChangeShare: config.churn.health_change_share,
      perMessage: config.check_states_per_message,
      onCycle: () => {
        for (const waiter of [...this.roundWaiters]) waiter();
      },
    };
    this.faultCtx = { ...this.ctx, client: new IntakeClient(config.intake_url, config.api_key) };

    this.agentUrns = Array.from({ length: config.agent_streams }, (_, j) => healthUrn('sim-agent', AGENT_CHECKS[j] ?? `checks-${j}`));
    this.hosts = Array.from({ length: config.hosts }, (_, i) => {
      const host = `host-${String(i).padStart(3, '0')}`;
      const subStreams = this.agentUrns.map((urn, j) => ({
        urn,
        checks: new CheckSet(AGENT_CHECKS[j] ?? `checks-${j}`, `urn:host:/${host}`, config.check_states),
        multi: isMultiMessage(i * config.agent_streams + j + 1, config.multi_message_share),
      }));
      return new HostAgent(host, subStreams, this.ctx);
    });
    this.centrals = Array.from({ length: config.central_streams }, (_, i) => new CentralSource(healthUrn('sim-central', `monitor-${i}`), config.check_states, this.ctx));
    this.states = Array.from({ length: config.states_streams }, (_, i) => new StatesSource(healthUrn('sim-states', `kubernetes-${i}`), config.check_states, this.ctx));
    this.producer =
      config.increment_partitions > 0
        ? new IncrementProducer(healthUrn('sim-incidents', 'alerts'), config.increment_partitions, config.check_states, this.ctx, config.increment_interval_seconds * 1000)
        : undefined;
  }

  /** The URL the exporter's tee.url should name. */
  get receiverUrl(): string {
    const { advertise_host, port } = this.config.receiver;
    return `http://${advertise_host}:${this.receiver?.port ?? port}/receiver/stsAgent/intake`;
  }

  /** What the fleet's payloads met at the intake, and what the fake receiver answered (by status). */
  stats(): IntakeStats & { restarts: number; receiver: Record<string, number> } {
    return { ...this.client.stats, restarts: this.restarts, receiver: Object.fromEntries(this.receiver?.statusCounts ?? []) };
  }

  async start(): Promise<void> {
    const { receiver } = this.config;
    if (receiver.enabled) this.receiver = await FakeReceiver.listen(receiver.port, receiver.host, 0);
    const fleet = this.fleet();
    // The first resend of everyone at once, in batches, so the exporter shows data the moment we are up.
    for (let i = 0; i < fleet.length; i += 50) await Promise.all(fleet.slice(i, i + 50).map((s) => s.cycleNow()));
    for (const s of fleet) s.run();
    if (this.config.churn.interval_seconds > 0) this.schedule.every(this.config.churn.interval_seconds * 1000, () => this.restartAnAgent());
    this.log.info(
      {
        hosts: this.hosts.length,
        agentStreams: this.agentUrns.length,
        subStreams: this.hosts.length * this.agentUrns.length + this.centrals.length + this.states.length + (this.producer?.partitions.length ?? 0),
        teeUrl: this.receiver ? this.receiverUrl : undefined,
      },
      'simulated health sync sources running',
    );
  }

  async stop(): Promise<void> {
    this.schedule.stopAll();
    const senders = [...this.fleet(), ...this.rogues];
    for (const s of senders) s.halt();
    await Promise.all(senders.map((s) => s.drain()));
    await this.receiver?.close();
    this.receiver = undefined;
  }

  /**
   * Resolves once every sender on its regular period has finished a cycle
   * begun after this call: for tests that move the exporter's clock.
   */
  round(timeoutMs = 10_000): Promise<void> {
    const waiting = this.fleet()
      .filter((s) => s.regular)
      .map((s) => ({ s, until: s.begun + 1 }));
    const done = () => waiting.every(({ s, until }) => !s.regular || s.finished >= until);
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.roundWaiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.roundWaiters.delete(check);
        const late = waiting.filter(({ s, until }) => s.regular && s.finished < until).map(({ s }) => s.name);
        reject(new Error(`no round of messages within ${timeoutMs} ms; still waiting for ${late.join(', ')}`));
      }, timeoutMs);
      this.roundWaiters.add(check);
      check();
    });
  }

  private fleet(): Sender[] {
    return [...this.hosts, ...this.centrals, ...this.states, ...(this.producer ? [this.producer] : [])];
  }

  /** The first entity of `items` no fault (and no churn) holds, now held by `fault`. */
  private take<T extends { heldBy: string | undefined }>(fault: string, items: readonly T[], what: string): T {
    const item = pickFree(items, (i) => i.heldBy !== undefined);
    if (!item) throw new Error(`${fault}: no ${what} is free (all held by other faults, or none configured in sim.healthsync)`);
    item.heldBy = fault;
    return item;
  }

  /** Stops a sender and waits for its last cycle, so nothing more arrives from it. */
  private async silence(s: Sender): Promise<void> {
    s.halt();
    await s.drain();
  }

  private async startRogue(s: Sender): Promise<void> {
    this.rogues.add(s);
    await s.cycleNow();
    s.run();
  }

  private async stopRogue(s: Sender): Promise<void> {
    await this.silence(s);
    this.rogues.delete(s);
  }

  private get faultPeriodMs(): number {
    return Math.min(this.ctx.sendMs, FAULT_SENDER_MAX_PERIOD_MS);
  }

  /** Holds one aspect of the upstream for `fault`, and has the fake receiver answer accordingly. */
  private holdUpstream(fault: string, aspect: 'downBy' | 'limitBy', limitBytes = 0): FakeReceiver {
    const r = this.receiver;
    if (!r) throw new Error(`${fault}: needs the fake receiver (sim.healthsync.receiver.enabled) with the exporter's tee.url at ${this.receiverUrl}`);
    const holder = this.upstream[aspect];
    if (holder) throw new Error(`${fault}: the upstream receiver is already ${aspect === 'downBy' ? 'down' : 'limited'} by ${holder}`);
    this.upstream[aspect] = fault;
    if (aspect === 'limitBy') this.upstream.limitBytes = limitBytes;
    this.answerAsUpstream(r);
    return r;
  }

  private releaseUpstream(aspect: 'downBy' | 'limitBy'): void {
    this.upstream[aspect] = undefined;
    if (this.receiver) this.answerAsUpstream(this.receiver);
  }

  /** The proxy refuses large bodies before it even tries upstream; behind it, upstream is up or down. */
  private answerAsUpstream(r: FakeReceiver): void {
    const { downBy, limitBy, limitBytes } = this.upstream;
    r.answer = (body) => (limitBy && body.length > limitBytes ? 413 : downBy ? 503 : 200);
  }

  protected async apply(fault: string): Promise<AppliedFault> {
    const release = (held: { heldBy: string | undefined }) => {
      held.heldBy = undefined;
    };
    switch (fault) {
      case 'healthsync-substream-late': {
        const s = this.take<Sender>(fault, [...this.states, ...this.centrals], 'source without expiry (states_streams, central_streams)');
        await this.silence(s);
        return { target: s.name, undo: async () => { await s.resume(); release(s); } };
      }
      case 'healthsync-substream-expired': {
        const host = this.take(fault, this.agentUrns.length > 0 ? this.hosts : [], 'host (hosts, agent_streams)');
        await this.silence(host);
        return { target: host.name, undo: async () => { await host.resume(); release(host); } };
      }
      case 'healthsync-snapshot-missing-stop': {
        const central = this.take(fault, this.centrals, 'central source (central_streams)');
        await this.silence(central);
        // A complete snapshot right before the unstopped one: Late and MissingStop then rise in the same tick,
        // so the MissingStop alert is up in time to inhibit Late.
        await central.cycleNow();
        central.omitStop = true;
        await central.cycleNow();
        // Each next start comes after the automatic stop (2 intervals, at the exporter's next tick), so every
        // snapshot is stopped for it, rather than abandoned by a second start.
        const periodMs = (LATE_TOLERANCE * this.ctx.repeatS + Math.max(2 * EXPORTER_TICK_S, this.ctx.repeatS / 2)) * 1000;
        central.run(periodMs, periodMs);
        return {
          target: central.name,
          undo: async () => {
            central.omitStop = false;
            await central.resume();
            release(central);
          },
        };
      }
      case 'healthsync-checkpoint-gap':
      case 'healthsync-unknown-check-state': {
        const producer = this.producer;
        const p = this.take(fault, producer?.partitions ?? [], 'partition (increment_partitions)');
        if (fault === 'healthsync-checkpoint-gap') p.loseNext = true;
        else p.deleteUnknown = true;
        await producer!.cycleNow();
        return {
          target: `${p.urn}#${p.id}`,
          undo: async () => {
            // As the runbook says: make the state whole, then clear the sticky error.
            p.resync = fault === 'healthsync-checkpoint-gap';
            await producer!.cycleNow();
            await this.client.clearErrors(p.urn, p.id);
            release(p);
          },
        };
      }
      case 'healthsync-transformer-error': {
        const host = this.take(fault, this.agentUrns.length > 0 ? this.hosts : [], 'host (hosts, agent_streams)');
        host.unreadableIn = this.agentUrns.at(-1);
        await host.cycleNow();
        return {
          target: `${host.unreadableIn}#${host.name}`,
          undo: async () => {
            host.unreadableIn = undefined;
            await host.cycleNow();
            release(host);
          },
        };
      }
      case 'healthsync-model-mismatch':
      case 'healthsync-missing-substream': {
        const mismatch = fault === 'healthsync-model-mismatch';
        const urn = mismatch ? (this.agentUrns[0] ?? this.centrals[0]?.urn) : this.states[0]?.urn;
        if (!urn) throw new Error(`${fault}: needs a ${mismatch ? 'REPEAT_SNAPSHOTS (agent_streams, central_streams)' : 'REPEAT_STATES (states_streams)'} stream`);
        const sender = mismatch ? new ModelMismatchSender(urn, 'second-integration', this.faultCtx, this.faultPeriodMs) : new MisspelledExpirySender(urn, 'kyverno-policies', this.faultCtx, this.faultPeriodMs);
        await this.startRogue(sender);
        return {
          target: `${urn}#${sender.subStreamId}`,
          undo: async () => {
            await this.stopRogue(sender);
            // Its sub stream is known only by the error: clearing forgets it.
            await this.client.clearErrors(urn, sender.subStreamId);
          },
        };
      }
      case 'healthsync-many-late': {
        const repeating = this.hosts.length * this.agentUrns.length + this.centrals.length + this.states.length;
        const needed = Math.max(Math.floor(repeating / 2) + 1, Math.ceil(repeating * CUT_SHARE));
        if (repeating < 4) throw new Error(`${fault}: the alert needs at least 4 repeating sub streams; the simulator has ${repeating}`);
        // Sub streams without expiry first: they stay late (the hosts' expire), so the cut shows both ways.
        const candidates: Array<[Sender, number]> = [...[...this.centrals, ...this.states].map((s): [Sender, number] => [s, 1]), ...this.hosts.map((h): [Sender, number] => [h, this.agentUrns.length])];
        const victims: Sender[] = [];
        let covered = 0;
        for (const [s, subStreams] of candidates) {
          if (covered >= needed) break;
          if (s.heldBy !== undefined || subStreams === 0) continue;
          victims.push(s);
          covered += subStreams;
        }
        if (covered < needed) throw new Error(`${fault}: only ${covered} of the ${needed} sub streams needed are free`);
        for (const v of victims) v.heldBy = fault;
        await Promise.all(victims.map((v) => this.silence(v)));
        // A last resend from all at once: they go late in the same tick, so ManySubStreamsLate is pending as
        // soon as their Late alerts are, and can inhibit them.
        await Promise.all(victims.map((v) => v.cycleNow()));
        return {
          target: `${covered} of ${repeating} repeating sub streams`,
          undo: async () => {
            await Promise.all(victims.map((v) => v.resume()));
            for (const v of victims) release(v);
          },
        };
      }
      case 'healthsync-intake-rejecting': {
        const sender = new MalformedSender(this.faultCtx, this.faultPeriodMs);
        await this.startRogue(sender);
        return { target: sender.name, undo: () => this.stopRogue(sender) };
      }
      case 'healthsync-limit-reached': {
        const minter = new StreamMinter(this.config.exporter_stream_limit + 5, this.faultCtx, this.faultPeriodMs);
        await this.startRogue(minter);
        return {
          target: `${minter.urns.length} minted streams`,
          undo: async () => {
            await this.stopRogue(minter);
            await minter.deleteStreams();
          },
        };
      }
      case 'healthsync-tee-stalled': {
        this.holdUpstream(fault, 'downBy');
        return { target: this.receiverUrl, undo: async () => this.releaseUpstream('downBy') };
      }
      case 'healthsync-tee-spool-filling': {
        this.holdUpstream(fault, 'downBy');
        const filled = await this.fillSpool().catch((err: unknown) => {
          this.releaseUpstream('downBy');
          throw err;
        });
        return { target: `${this.receiverUrl} (spool +${filled} bytes)`, undo: async () => this.releaseUpstream('downBy') };
      }
      case 'healthsync-tee-dropping': {
        if (this.upstream.downBy) throw new Error(`${fault}: the upstream is down (${this.upstream.downBy}), so no payload reaches its body limit; inject this first`);
        // Above anything the fleet sends, so only the topology payloads are refused.
        const limit = Math.max(MIN_UPSTREAM_LIMIT_BYTES, 2 * this.client.stats.largestBytes);
        const r = this.holdUpstream(fault, 'limitBy', limit);
        const refusedBefore = r.statusCounts.get(413) ?? 0;
        const sender = new TopologySender(2 * limit, this.faultCtx, Math.min(DROP_EVERY_INTERVALS * this.ctx.sendMs, DROP_MAX_PERIOD_MS));
        await this.startRogue(sender);
        // Until the tee has met the limit once, so a stall injected next cannot hold the payload back.
        if (!(await r.until(() => (r.statusCounts.get(413) ?? 0) > refusedBefore, DROP_WAIT_MS))) this.log.warn({ fault }, 'the tee has not forwarded the large payload yet; is the exporter\'s tee.url the fake receiver?');
        return {
          target: `${this.receiverUrl} (limit ${limit} bytes)`,
          undo: async () => {
            await this.stopRogue(sender);
            this.releaseUpstream('limitBy');
          },
        };
      }
      default:
        throw new UnknownFaultError(fault);
    }
  }

  /** Topology payloads until the spool holds spool_fill_share of its bound; the bytes sent. */
  private async fillSpool(): Promise<number> {
    const { exporter_spool_max_bytes: max, spool_fill_share: share } = this.config.receiver;
    const target = Math.floor(max * share);
    const body = JSON.stringify(topologyBody('topology-resync', Math.min(1024 * 1024, Math.max(16 * 1024, Math.floor(target / 8)))));
    let sent = 0;
    while (sent < target) {
      const status = await this.faultCtx.client.post(body);
      if (status !== 200) {
        this.log.warn({ status, sent, target }, 'the intake stopped taking the topology burst; is sim.healthsync.receiver.exporter_spool_max_bytes the exporter\'s tee.spool_max_bytes?');
        break;
      }
      sent += Buffer.byteLength(body);
    }
    return sent;
  }

  /** Churn: an agent restarts, away for half a repeat interval (with the resend before it, well under the 2 that make it late). */
  private async restartAnAgent(): Promise<void> {
    const free = this.hosts.filter((h) => h.heldBy === undefined && h.regular);
    const host = free[Math.floor(Math.random() * free.length)];
    if (!host) return;
    host.heldBy = 'churn';
    try {
      await this.silence(host);
      await new Promise<void>((resolve) => this.schedule.after(this.ctx.sendMs / 2, resolve));
      await host.resume();
      this.restarts += 1;
    } finally {
      host.heldBy = undefined;
    }
  }
}
