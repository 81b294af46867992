/**
 * Simulated OpenTelemetry collectors. Each speaks OpAMP to the collectors
 * exporter (WebSocket or plain HTTP polling) with the agent in sim/opamp;
 * a rollout tool posts Pending and Incompatible to the event API; a fake
 * Bindplane lists more collectors for the exporter's poller. Agent ids are
 * derived from their index, so a restarted simulator is the same fleet.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../exporters/core/log.js';
import { OpampAgent, type AgentStatus } from '../opamp/agent.js';
import { pickFree, type AppliedFault } from '../lib/fault-book.js';
import { FaultingSimulator } from '../lib/faulting-simulator.js';
import { Schedule } from '../lib/schedule.js';
import type { FaultSpec } from '../lib/types.js';
import { UnknownFaultError } from '../lib/types.js';
import type { CollectorsSimConfig } from './config.js';
import { FakeBindplane } from './fake-bindplane.js';

const FAULTS: FaultSpec[] = [
  { name: 'collector-disconnect', description: 'A collector crashes: it stops talking without agent_disconnect.', alerts: ['CollectorDisconnected'] },
  { name: 'collector-error', description: 'A collector reports itself unhealthy (an exporter failing).', alerts: ['CollectorInError'] },
  { name: 'collector-stuck-configuring', description: 'A collector reports remote config APPLYING and never finishes.', alerts: ['CollectorStuckConfiguring'] },
  { name: 'collector-stuck-upgrading', description: 'A collector package install never finishes.', alerts: ['CollectorUpgradeStuck'] },
  { name: 'collector-rollout-stuck-pending', description: 'The rollout tool queues a config for a collector and never sends it.', alerts: ['CollectorRolloutStuckPending'] },
  { name: 'collector-incompatible', description: 'The rollout tool assigns a config the collector cannot run.', alerts: ['CollectorIncompatibleConfig'] },
  { name: 'collector-flapping', description: 'A collector goes unhealthy and back every few heartbeats.', alerts: ['CollectorFlapping'] },
  { name: 'collector-illegal-transition', description: 'The rollout tool reports Pending, then Connected, skipping Configuring.', alerts: ['CollectorIllegalTransitions'] },
  { name: 'bindplane-down', description: 'The Bindplane API answers 503.', alerts: ['CollectorSourceDown'] },
  { name: 'collector-fleet-disconnect', description: 'A network cut: 40% of the collectors stop talking at once.', alerts: ['CollectorFleetDisconnected'], exclusive: true },
];

/** A stable UUID for the n-th simulated collector. */
function instanceUid(kind: string, n: number): Uint8Array {
  const bytes = createHash('sha256').update(`fleetwatch-sim/${kind}/${n}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return Uint8Array.from(bytes);
}

function uuidText(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const HEALTHY = { healthy: true, status: 'StatusOK' };

class SimCollector {
  readonly agent: OpampAgent;
  /** False while crashed: no messages. */
  talking = true;
  /** Held by a fault: churn leaves it alone. */
  held = false;
  private stopHeartbeat: (() => void) | undefined;

  constructor(
    readonly index: number,
    readonly transport: 'websocket' | 'http',
    private readonly config: CollectorsSimConfig,
    private readonly schedule: Schedule,
    private readonly log: Logger,
  ) {
    const status: AgentStatus = {
      description: {
        identifying: { 'service.name': 'otelcol-contrib', 'service.version': index % 7 === 0 ? '0.119.0' : '0.120.0', 'service.instance.id': `sim-collector-${index}` },
        nonIdentifying: { 'host.name': `sim-host-${index}`, 'os.type': 'linux' },
      },
      health: HEALTHY,
      remoteConfigStatus: { status: 1 },
      packageStatuses: { '': { status: 0, agentHasVersion: '0.120.0' } },
    };
    this.agent = new OpampAgent({ endpoint: config.opamp_url, transport, status, instanceUid: instanceUid('opamp', index) });
  }

  get id(): string {
    return this.agent.id;
  }

  async start(): Promise<void> {
    this.talking = true;
    await this.agent.connect();
    await this.send();
    this.stopHeartbeat = this.schedule.every(this.config.heartbeat_seconds * 1000, () => this.send());
  }

  /** Stops talking, as a crash or a network cut would: no agent_disconnect. */
  async crash(): Promise<void> {
    this.talking = false;
    this.stopHeartbeat?.();
    await this.agent.close();
  }

  async stop(): Promise<void> {
    this.stopHeartbeat?.();
    if (this.talking) await this.agent.disconnect().catch(() => undefined);
    this.talking = false;
  }

  /** Reports a change now (as agents do) rather than at the next heartbeat. */
  async report(change: Partial<AgentStatus>): Promise<void> {
    this.agent.update(change);
    await this.send();
  }

  private async send(): Promise<void> {
    if (!this.talking) return;
    try {
      await this.agent.send();
    } catch (err) {
      this.log.debug({ err: (err as Error).message, collector: this.id }, 'OpAMP send failed; retrying at the next heartbeat');
    }
  }
}

export class CollectorsSimulator extends FaultingSimulator {
  readonly domain = 'collectors' as const;
  private readonly schedule = new Schedule();
  private readonly collectors: SimCollector[] = [];
  /** The collector the next churn event starts looking at. */
  private churnNext = 0;
  private readonly bindplane: FakeBindplane | undefined;

  constructor(
    private readonly config: CollectorsSimConfig,
    private readonly log: Logger,
  ) {
    super(FAULTS, log);
    const wsCount = Math.round(config.count * config.websocket_share);
    for (let i = 0; i < config.count; i++) this.collectors.push(new SimCollector(i, i < wsCount ? 'websocket' : 'http', config, this.schedule, log));
    if (config.bindplane.enabled) {
      this.bindplane = new FakeBindplane(config.bindplane.api_key);
      const now = new Date().toISOString();
      this.bindplane.agents = Array.from({ length: config.bindplane.agents }, (_, i) => ({
        id: uuidText(instanceUid('bindplane', i)), name: `bp-collector-${i}`, hostname: `bp-host-${i}`, version: 'v1.70.0', status: 1, connectedAt: now, reported_at: now,
      }));
    }
  }

  async start(): Promise<void> {
    if (this.bindplane) await this.bindplane.start(this.config.bindplane.host, this.config.bindplane.port);
    // Connect in batches so a 10k fleet does not open 10k sockets in one tick.
    for (let i = 0; i < this.collectors.length; i += 200) {
      await Promise.all(this.collectors.slice(i, i + 200).map((c) => c.start().catch((err: Error) => this.log.warn({ err: err.message }, 'simulated collector could not connect'))));
    }
    this.schedule.every(this.config.churn_interval_seconds * 1000, () => this.churn());
    this.log.info({ collectors: this.collectors.length, bindplane: this.bindplane?.agents.length ?? 0 }, 'simulated collectors running');
  }

  async stop(): Promise<void> {
    this.schedule.stopAll();
    await Promise.all(this.collectors.map((c) => c.stop()));
    await this.bindplane?.stop();
  }

  /** A healthy collector no fault holds, preferring HTTP or WebSocket. */
  private pick(transport?: 'websocket' | 'http'): SimCollector {
    const c = pickFree(this.collectors, (c) => c.held || !c.talking || (transport !== undefined && c.transport !== transport)) ?? pickFree(this.collectors, (c) => c.held || !c.talking);
    if (!c) throw new Error('no healthy simulated collector is left to take a fault');
    c.held = true;
    return c;
  }

  private async postEvents(events: Array<{ collector_id: string; state: string; reason: string }>): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.config.events_token) headers.authorization = `Bearer ${this.config.events_token}`;
    const response = await fetch(this.config.events_url, { method: 'POST', headers, body: JSON.stringify(events) });
    if (response.status !== 202) throw new Error(`event API answered ${response.status}: ${await response.text()}`);
  }

  /** A config rollout reaching the collector: APPLYING, then APPLIED. */
  private async applyConfig(c: SimCollector): Promise<void> {
    await c.report({ remoteConfigStatus: { status: 2 } });
    await c.report({ remoteConfigStatus: { status: 1 } });
  }

  protected async apply(fault: string): Promise<AppliedFault> {
    const release = (c: SimCollector) => () => {
      c.held = false;
      return Promise.resolve();
    };
    switch (fault) {
      case 'collector-disconnect': {
        const c = this.pick('http');
        await c.crash();
        return { target: c.id, undo: async () => { await c.start(); c.held = false; } };
      }
      case 'collector-error': {
        const c = this.pick();
        await c.report({ health: { healthy: false, status: 'StatusRecoverableError', lastError: 'exporter otlphttp: connection refused' } });
        return { target: c.id, undo: async () => { await c.report({ health: HEALTHY }); c.held = false; } };
      }
      case 'collector-stuck-configuring': {
        const c = this.pick();
        await c.report({ remoteConfigStatus: { status: 2 } });
        return { target: c.id, undo: async () => { await c.report({ remoteConfigStatus: { status: 1 } }); c.held = false; } };
      }
      case 'collector-stuck-upgrading': {
        const c = this.pick();
        await c.report({ packageStatuses: { '': { status: 2, agentHasVersion: '0.120.0', serverOfferedVersion: '0.121.0' } } });
        return { target: c.id, undo: async () => { await c.report({ packageStatuses: { '': { status: 0, agentHasVersion: '0.121.0' } } }); c.held = false; } };
      }
      case 'collector-rollout-stuck-pending':
      case 'collector-incompatible': {
        const c = this.pick();
        const state = fault === 'collector-incompatible' ? 'Incompatible' : 'Pending';
        await this.postEvents([{ collector_id: c.id, state, reason: `simulated rollout: ${fault}` }]);
        // Cleared the way a rollout moves on: the agent applies a config (→ Configuring → Connected).
        return { target: c.id, undo: async () => { await this.applyConfig(c); c.held = false; } };
      }
      case 'collector-flapping': {
        const c = this.pick();
        let unhealthy = false;
        const stop = this.schedule.every(this.config.heartbeat_seconds * 1000, () => {
          unhealthy = !unhealthy;
          return c.report({ health: unhealthy ? { healthy: false, status: 'StatusRecoverableError', lastError: 'flapping' } : HEALTHY });
        });
        return { target: c.id, undo: async () => { stop(); await c.report({ health: HEALTHY }); c.held = false; } };
      }
      case 'collector-illegal-transition': {
        const c = this.pick();
        await this.postEvents([{ collector_id: c.id, state: 'Pending', reason: 'simulated rollout' }]);
        await this.postEvents([{ collector_id: c.id, state: 'Connected', reason: 'simulated tool skipping Configuring' }]);
        return { target: c.id, undo: release(c) };
      }
      case 'bindplane-down': {
        if (!this.bindplane) throw new Error('the fake Bindplane is disabled (sim.collectors.bindplane.enabled)');
        this.bindplane.failWith = 503;
        return { target: 'bindplane', undo: async () => { this.bindplane!.failWith = undefined; } };
      }
      case 'collector-fleet-disconnect': {
        // From the end of the fleet: single-collector faults take from the front, so a cut
        // does not add its two changes to a collector that just had a fault's (CollectorFlapping).
        const victims = this.collectors.filter((c) => !c.held && c.talking).slice(-Math.ceil(this.collectors.length * 0.4));
        for (const c of victims) c.held = true;
        await Promise.all(victims.map((c) => c.crash()));
        return {
          target: `${victims.length} collectors`,
          undo: async () => {
            await Promise.all(victims.map((c) => c.start()));
            for (const c of victims) c.held = false;
          },
        };
      }
      default:
        throw new UnknownFaultError(fault);
    }
  }

  /**
   * Background churn: a rollout step or a clean restart, short-lived, taking
   * the collectors in turn. In turn, not at random: one collector churns at
   * most once per `count` events (two state changes), so churn alone never
   * makes one look like it is flapping.
   */
  private async churn(): Promise<void> {
    const n = this.collectors.length;
    let c: SimCollector | undefined;
    for (let tried = 0; tried < n && !c; tried++) {
      const next = this.collectors[this.churnNext]!;
      this.churnNext = (this.churnNext + 1) % n;
      if (!next.held && next.talking) c = next;
    }
    if (!c) return;
    c.held = true;
    const pause = () => this.schedule.pause(this.config.churn_duration_seconds * 1000);
    try {
      if (Math.random() < 0.7) {
        await c.report({ remoteConfigStatus: { status: 2 } });
        await pause();
        await c.report({ remoteConfigStatus: { status: 1 } });
      } else {
        await c.stop();
        await pause();
        await c.start();
      }
    } finally {
      c.held = false;
    }
  }
}
