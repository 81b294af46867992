/**
 * Simulated Formal connectors: several logical connectors, each a few
 * instances (sim/connectors/instance.ts — a fake health port and a real
 * OpenTelemetry SDK sender each), listed for the connectors exporter in a
 * file_sd file. The exporter probes them and hears their OTLP heartbeats
 * exactly as it would real ones.
 *
 * Background churn is one graceful rolling restart at a time (drain, stop,
 * start, ready) of a connector whose instances are all ready, so every
 * connector keeps at least two ready instances. Faults hold what they land
 * on — a whole connector, or one instance — and churn and other faults
 * leave it alone until the fault is cleared and the instance is healthy
 * again. Faults that take an instance out of ready go to different
 * connectors, so no two of them add up to a redundancy alert.
 */
import type { Logger } from '../../exporters/core/log.js';
import { Schedule } from '../lib/schedule.js';
import type { AppliedFault } from '../lib/fault-book.js';
import { FaultingSimulator } from '../lib/faulting-simulator.js';
import type { FaultSpec } from '../lib/types.js';
import { UnknownFaultError } from '../lib/types.js';
import type { ConnectorsSimConfig } from './config.js';
import { brokenGroups, connectorGroups, writeFileSd } from './file-sd.js';
import { SimInstance } from './instance.js';
import { Steps } from './steps.js';

const FAULTS: FaultSpec[] = [
  {
    name: 'connector-no-ready-instance',
    description: 'Every instance of one connector stays alive but answers /ready 503 (a bad configuration push broke its listeners).',
    alerts: ['ConnectorNoReadyInstance'],
    exclusive: true,
  },
  {
    name: 'connector-redundancy-lost',
    description: 'All instances of one connector but one drain, shut down and are not started again.',
    alerts: ['ConnectorRedundancyLost', 'ConnectorInstanceDown'],
  },
  { name: 'connector-instance-down', description: 'An instance dies without draining and stays down.', alerts: ['ConnectorInstanceDown'] },
  { name: 'connector-crash-loop', description: 'An instance keeps dying without draining, coming back each time.', alerts: ['ConnectorUnexpectedStops'] },
  { name: 'connector-stuck-starting', description: 'An instance restarts gracefully and never becomes ready (/health 200, /ready 503).', alerts: ['ConnectorInstanceNotReady'] },
  { name: 'connector-heartbeat-stopped', description: 'An instance stops sending OTLP while its /health still answers.', alerts: ['ConnectorHeartbeatMissing'] },
  { name: 'connector-pings-stopped', description: 'An instance keeps sending heartbeats, but no more Control Plane pings reach it.', alerts: ['ConnectorControlPlanePingsMissing'] },
  { name: 'connector-memory-high', description: 'An instance uses about 95% of its memory allotment.', alerts: ['ConnectorMemoryHigh'] },
  { name: 'connector-version-skew', description: 'One instance of a connector is restarted on another version, and the rollout goes no further.', alerts: ['ConnectorVersionSkew'] },
  {
    name: 'connector-discovery-invalid',
    description: 'The file_sd file is rewritten, again and again, without the connector label; the exporter refuses it and keeps its last good targets.',
    alerts: ['ConnectorDiscoveryFailing'],
  },
];

/**
 * What a fault holds: a whole connector; one instance it takes out of ready
 * (at most one such per connector, counting a churn restart); or one
 * instance that stays ready while its telemetry misbehaves.
 */
type Hold = 'connector' | 'unready' | 'telemetry';
const HOLDS: Record<string, Hold> = {
  'connector-no-ready-instance': 'connector',
  'connector-redundancy-lost': 'connector',
  'connector-instance-down': 'unready',
  'connector-crash-loop': 'unready',
  'connector-stuck-starting': 'unready',
  'connector-version-skew': 'unready',
  'connector-heartbeat-stopped': 'telemetry',
  'connector-pings-stopped': 'telemetry',
  'connector-memory-high': 'telemetry',
};
const CHURN = 'churn';

const holdOf = (heldBy: string): Hold => (heldBy === CHURN ? 'unready' : HOLDS[heldBy]!);
const pickRandom = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

export class ConnectorsSimulator extends FaultingSimulator {
  readonly domain = 'connectors' as const;
  private readonly schedule = new Schedule();
  private readonly instances: SimInstance[] = [];
  private readonly byConnector = new Map<string, SimInstance[]>();
  /** Background sequences under way, so that stop can cut them short. */
  private readonly runs = new Set<Steps>();
  /** Faults each connector has taken: the next goes to the least used, so repeated injections spread out. */
  private readonly faultCounts = new Map<string, number>();
  private churning = false;
  private stopChurn: (() => void) | undefined;

  constructor(
    private readonly config: ConnectorsSimConfig,
    private readonly log: Logger,
  ) {
    super(FAULTS, log);
    for (const connector of config.connectors) {
      const group: SimInstance[] = [];
      for (let n = 0; n < config.instances_per_connector; n++) group.push(new SimInstance(connector, this.instances.length + n, config, this.schedule, log));
      this.byConnector.set(connector, group);
      this.instances.push(...group);
    }
  }

  async start(): Promise<void> {
    // In batches, so that a large fleet does not open every port in one tick.
    for (let i = 0; i < this.instances.length; i += 100) await Promise.all(this.instances.slice(i, i + 100).map((inst) => inst.start('ready')));
    await this.writeTargets();
    // Not at once: the exporter should have seen each instance ready before one drains, or the drain looks like a start.
    const churnMs = this.config.churn_interval_seconds * 1000;
    this.schedule.after(churnMs, () => (this.stopChurn = this.schedule.every(churnMs, () => this.churn())));
    this.log.info({ connectors: this.byConnector.size, instances: this.instances.length, file_sd: this.config.file_sd_path }, 'simulated connectors running');
  }

  async stop(): Promise<void> {
    this.stopChurn?.();
    this.schedule.stopAll();
    for (const run of this.runs) run.cancel();
    await Promise.all([...this.runs].map((run) => run.done));
    await Promise.all(this.instances.map((inst) => inst.stop('crash')));
  }

  private writeTargets(): Promise<void> {
    return writeFileSd(this.config.file_sd_path, connectorGroups(this.instances));
  }

  protected async apply(fault: string): Promise<AppliedFault> {
    const target = (i: SimInstance) => `${i.connector}/${i.id}`;
    switch (fault) {
      case 'connector-no-ready-instance': {
        const group = this.takeConnector(fault);
        // Alive, /ready 503: the fake answers as it does while starting.
        for (const i of group) i.setMode('starting');
        return { target: group[0]!.connector, undo: async () => this.heal(group) };
      }
      case 'connector-redundancy-lost': {
        const group = this.takeConnector(fault);
        const leaving = group.slice(1);
        const run = this.background(async (steps) => {
          for (const i of leaving) i.setMode('draining');
          if (await steps.sleep(this.config.drain_seconds)) await Promise.all(leaving.map((i) => i.stop('graceful')));
        });
        return { target: group[0]!.connector, undo: () => this.cancelThenHeal(run, group) };
      }
      case 'connector-instance-down': {
        const i = this.takeInstance(fault);
        await i.stop('crash');
        return { target: target(i), undo: async () => this.heal([i]) };
      }
      case 'connector-crash-loop': {
        const i = this.takeInstance(fault);
        const run = this.background(async (steps) => {
          do {
            await i.stop('crash');
            if (!(await steps.sleep(this.config.down_seconds))) return;
            await i.start('starting');
            if (!(await steps.sleep(this.config.startup_seconds))) return;
            i.setMode('ready');
          } while (await steps.sleep(this.config.crash_loop_seconds));
        });
        return { target: target(i), undo: () => this.cancelThenHeal(run, [i]) };
      }
      case 'connector-stuck-starting': {
        const i = this.takeInstance(fault);
        const run = this.background((steps) => this.restart(i, steps, i.version, false));
        return { target: target(i), undo: () => this.cancelThenHeal(run, [i]) };
      }
      case 'connector-version-skew': {
        const i = this.takeInstance(fault);
        const run = this.background((steps) => this.restart(i, steps, this.config.skew_version));
        return { target: target(i), undo: () => this.cancelThenHeal(run, [i]) };
      }
      case 'connector-heartbeat-stopped':
      case 'connector-pings-stopped':
      case 'connector-memory-high': {
        const i = this.takeInstance(fault);
        if (fault === 'connector-heartbeat-stopped') i.sendsTelemetry = false;
        if (fault === 'connector-pings-stopped') i.receivesPings = false;
        if (fault === 'connector-memory-high') i.memoryHigh = true;
        // Returns once no export that predates the fault is still on its way.
        await i.quiet();
        return { target: target(i), undo: async () => this.heal([i]) };
      }
      case 'connector-discovery-invalid': {
        const good = connectorGroups(this.instances);
        let generation = 0;
        const run = this.background(async (steps) => {
          do {
            await writeFileSd(this.config.file_sd_path, brokenGroups(good, ++generation));
          } while (await steps.sleep(this.config.discovery_rewrite_seconds));
        });
        return {
          target: this.config.file_sd_path,
          undo: async () => {
            run.cancel();
            await run.done;
            await this.writeTargets();
          },
        };
      }
      default:
        throw new UnknownFaultError(fault);
    }
  }

  /** Runs `sequence` in the background until it returns or is cancelled. */
  private background(sequence: (steps: Steps) => Promise<void>): Steps {
    const steps = new Steps(this.schedule);
    this.runs.add(steps);
    steps.done = sequence(steps)
      .catch((err: Error) => this.log.warn({ err: err.message }, 'simulated connector step failed'))
      .finally(() => this.runs.delete(steps));
    return steps;
  }

  /** A graceful restart: drain, stop, down a while, start on `version`, then ready (unless it is to stay starting). */
  private async restart(i: SimInstance, steps: Steps, version: string, becomeReady = true): Promise<void> {
    i.setMode('draining');
    if (!(await steps.sleep(this.config.drain_seconds))) return;
    await i.stop('graceful');
    if (!(await steps.sleep(this.config.down_seconds))) return;
    await i.start('starting', version);
    if (!becomeReady || !(await steps.sleep(this.config.startup_seconds))) return;
    i.setMode('ready');
  }

  private async cancelThenHeal(run: Steps, instances: SimInstance[]): Promise<void> {
    run.cancel();
    await run.done;
    this.heal(instances);
  }

  /**
   * Brings instances back to healthy — running the fleet's version, ready,
   * telemetry flowing — in the background, and only then lets churn and
   * other faults have them again.
   */
  private heal(instances: SimInstance[]): void {
    const version = this.config.version;
    const run = this.background(async (steps) => {
      await Promise.all(
        instances.map(async (i) => {
          i.sendsTelemetry = true;
          i.receivesPings = true;
          i.memoryHigh = false;
          if (i.phase !== 'down' && i.version !== version) return this.restart(i, steps, version);
          if (i.phase === 'down') {
            await i.start('starting', version);
            if (!(await steps.sleep(this.config.startup_seconds))) return;
          }
          i.setMode('ready');
        }),
      );
    });
    void run.done.finally(() => {
      for (const i of instances) i.heldBy = undefined;
    });
  }

  /** A whole connector, every instance of it ready and free. */
  private takeConnector(fault: string): SimInstance[] {
    const free = [...this.byConnector.values()].filter((group) => group.every((i) => i.heldBy === undefined && i.phase === 'ready'));
    const group = this.leastFaulted(free.map((g) => [g[0]!.connector, g]));
    if (!group) throw new Error(`no connector is free for ${fault}: every one has an instance held by a fault or a restart`);
    for (const i of group) i.heldBy = fault;
    return group;
  }

  /** One ready, free instance where the fault cannot add up with another to a redundancy alert. */
  private takeInstance(fault: string): SimInstance {
    const hold = HOLDS[fault]!;
    const fits = (i: SimInstance): boolean => {
      // A connector-wide fault holds every instance of its connector, so this keeps out of those too.
      if (i.heldBy !== undefined || i.phase !== 'ready') return false;
      if (hold === 'telemetry') return true;
      const others = this.byConnector.get(i.connector)!.filter((o) => o !== i);
      return others.every((o) => o.phase === 'ready' && (o.heldBy === undefined || holdOf(o.heldBy) === 'telemetry'));
    };
    const i = this.leastFaulted(this.instances.filter(fits).map((inst) => [inst.connector, inst]));
    if (!i) throw new Error(`no instance is free for ${fault}`);
    i.heldBy = fault;
    return i;
  }

  /** Of `[connector, item]` candidates (in fleet order), one on the connector that has taken the fewest faults; counts it. */
  private leastFaulted<T>(candidates: Array<[string, T]>): T | undefined {
    let best: [string, T] | undefined;
    for (const c of candidates) if (!best || (this.faultCounts.get(c[0]) ?? 0) < (this.faultCounts.get(best[0]) ?? 0)) best = c;
    if (best) this.faultCounts.set(best[0], (this.faultCounts.get(best[0]) ?? 0) + 1);
    return best?.[1];
  }

  /**
   * Background churn: a graceful restart of one instance of a connector that
   * is wholly ready and free. The instance must have been ready for a drain's
   * length: a drain the exporter takes for the end of a start would make its
   * stop look unexpected.
   */
  private churn(): void {
    if (this.churning) return;
    const free = [...this.byConnector.values()].filter((group) => group.every((i) => i.heldBy === undefined && i.phase === 'ready'));
    const i = pickRandom((pickRandom(free) ?? []).filter((inst) => inst.readyFor(this.config.drain_seconds)));
    if (!i) return;
    i.heldBy = CHURN;
    this.churning = true;
    const run = this.background((steps) => this.restart(i, steps, i.version));
    void run.done.finally(() => {
      i.heldBy = undefined;
      this.churning = false;
    });
  }
}
