/**
 * The collector fleet: per collector its state, since when, when it was last
 * seen and what it last reported; fleet counts and transition counters.
 * Pure and deterministic: observations and `tick(now)` are the only inputs.
 *
 * How sources combine. Each source reports changes, and the state is the most
 * recent change any source reported: a source's report changes the state
 * only when it differs from what that same source said before. So a
 * rollout tool's "Pending" is not undone by the agent's next unchanged
 * heartbeat, but it is by the agent's next real change (APPLYING →
 * Configuring). Any OpAMP message from a Disconnected collector reconnects it.
 */
import { EntityVersions } from '../core/entity-versions.js';
import { deriveState, type LastReported } from './derive.js';
import type { AgentReport, CollectorObservation, SourceName } from './observations.js';
import { isLegal, START, STATES, type CollectorState, type FromState } from './states.js';

export interface CollectorRecord {
  id: string;
  state: CollectorState;
  /** When the current state began (ms). */
  since: number;
  /** When any source last heard from or about the collector itself (ms). */
  lastSeen: number;
  /** When the last OpAMP message arrived (ms); drives the disconnect timeout. */
  lastHeard?: number;
  name: string;
  version: string;
  host: string;
  /** The source that last reported on this collector. */
  source: SourceName;
  /** The last state each source reported, to apply only changes. */
  bySource: Partial<Record<SourceName, CollectorState>>;
  /** Everything the agent last reported over OpAMP. */
  reported?: LastReported;
}

export interface FleetModelOptions {
  /** Disconnected after this long without an OpAMP message (ms); 3 × the 30 s heartbeat by default. */
  disconnectAfterMs: number;
  /** A collector Disconnected this long is forgotten (ms); 0 keeps them forever. */
  forgetAfterMs: number;
}

export interface ApplyResult {
  /** Ask the agent to send everything again (ServerToAgentFlags_ReportFullState). */
  reportFullState?: 'unknown' | 'sequence_gap';
}

export interface SourceHealth {
  up: boolean;
  lastSuccess?: number;
}

/** How transition tables are keyed. */
export const edgeKey = (from: FromState, to: CollectorState) => `${from}>${to}`;

export class FleetModel {
  private readonly records = new Map<string, CollectorRecord>();
  /** Render version per collector: bumped on every change the view shows. */
  private readonly versions = new EntityVersions();
  /** Collectors heard over OpAMP since this process started (in memory only). */
  private readonly heardThisRun = new Set<string>();
  private readonly openSockets = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly forgotten = new Set<string>();
  private readonly counts = new Map<CollectorState, number>(STATES.map((s) => [s, 0]));
  readonly transitions = new Map<string, { from: FromState; to: CollectorState; count: number }>();
  readonly illegalTransitions = new Map<string, { from: FromState; to: CollectorState; count: number }>();
  readonly sources = new Map<SourceName, SourceHealth>();
  readonly fullStateRequests = new Map<string, number>();
  readonly opampMessages = new Map<string, number>();
  readonly unknownStatuses = new Map<number, number>();

  /** When this run began: silence before it is the exporter's, not the collectors'. */
  constructor(
    private readonly opts: FleetModelOptions,
    private readonly startedAt: number,
  ) {}

  /** Restores collectors from the store, without counting transitions. */
  restore(records: Iterable<CollectorRecord>): void {
    for (const r of records) {
      this.records.set(r.id, r);
      this.counts.set(r.state, (this.counts.get(r.state) ?? 0) + 1);
      this.versions.bump(r.id);
    }
  }

  get(id: string): CollectorRecord | undefined {
    return this.records.get(id);
  }

  all(): IterableIterator<CollectorRecord> {
    return this.records.values();
  }

  get size(): number {
    return this.records.size;
  }

  version(id: string): number {
    return this.versions.get(id);
  }

  fleetCount(state: CollectorState): number {
    return this.counts.get(state) ?? 0;
  }

  apply(obs: CollectorObservation): ApplyResult {
    switch (obs.kind) {
      case 'opamp_report':
        return this.applyReport(obs.report, obs.transport, obs.at);
      case 'opamp_socket_closed':
        this.openSockets.delete(obs.collectorId);
        this.applyDisconnect(obs.collectorId, obs.at);
        return {};
      case 'reported_state':
        this.applyReportedState(obs);
        return {};
      case 'forget':
        this.forget(obs.collectorId);
        return {};
      case 'source_status': {
        const health = this.sources.get(obs.source) ?? { up: false };
        health.up = obs.up;
        if (obs.delivered) health.lastSuccess = obs.at;
        this.sources.set(obs.source, health);
        return {};
      }
    }
  }

  /** The passing of time: silent OpAMP collectors become Disconnected, old ones are forgotten. */
  tick(now: number): void {
    const heardFloor = now - this.opts.disconnectAfterMs;
    for (const r of this.records.values()) {
      if (r.state === 'Disconnected') {
        if (this.opts.forgetAfterMs > 0 && now - r.since > this.opts.forgetAfterMs) this.forget(r.id);
        continue;
      }
      if (r.lastHeard === undefined || this.openSockets.has(r.id)) continue;
      if (Math.max(r.lastHeard, this.startedAt) < heardFloor) this.setState(r, 'Disconnected', now);
    }
  }

  /** Records changed since the last call, for the store: [id, record or undefined if forgotten]. */
  takeChanges(): Array<[string, CollectorRecord | undefined]> {
    const out: Array<[string, CollectorRecord | undefined]> = [];
    for (const id of this.dirty) out.push([id, this.records.get(id)]);
    for (const id of this.forgotten) if (!this.dirty.has(id)) out.push([id, undefined]);
    this.dirty.clear();
    this.forgotten.clear();
    return out;
  }

  websocketOpened(id: string): void {
    this.openSockets.add(id);
  }

  get openSocketCount(): number {
    return this.openSockets.size;
  }

  private applyReport(report: AgentReport, transport: 'http' | 'websocket', at: number): ApplyResult {
    const id = report.instanceUid;
    let r = this.records.get(id);
    const result: ApplyResult = {};
    const firstThisRun = !this.heardThisRun.has(id);
    if (r && !firstThisRun && r.reported && report.sequenceNum !== r.reported.sequenceNum + 1) result.reportFullState = 'sequence_gap';
    // Unknown here (new, or known only from before a restart) and not already sending everything.
    if (firstThisRun && !report.description) result.reportFullState = 'unknown';
    if (result.reportFullState) this.fullStateRequests.set(result.reportFullState, (this.fullStateRequests.get(result.reportFullState) ?? 0) + 1);
    this.heardThisRun.add(id);
    this.opampMessages.set(transport, (this.opampMessages.get(transport) ?? 0) + 1);
    this.sources.set('opamp', { up: true, lastSuccess: at });
    if (transport === 'websocket') this.openSockets.add(id);

    const previous = r?.reported;
    const reported: LastReported = {
      instanceUid: id,
      sequenceNum: report.sequenceNum,
      capabilities: report.capabilities,
      description: report.description ?? previous?.description,
      health: report.health ?? previous?.health,
      remoteConfigStatus: report.remoteConfigStatus ?? previous?.remoteConfigStatus,
      packageStatuses: report.packageStatuses ?? previous?.packageStatuses,
    };
    const attrs = { ...reported.description?.nonIdentifying, ...reported.description?.identifying };
    if (!r) {
      // An agent that speaks to us is connected: start → Connected.
      r = this.create(id, 'opamp', 'Connected', at);
      this.countEdge(START, 'Connected');
    }
    r.reported = reported;
    r.lastSeen = Math.max(r.lastSeen, at);
    r.lastHeard = at;
    r.source = 'opamp';
    r.name = attrs['service.name'] ?? r.name;
    r.version = attrs['service.version'] ?? r.version;
    r.host = attrs['host.name'] ?? r.host;
    this.touch(r);

    if (report.agentDisconnect) {
      this.openSockets.delete(id);
      r.bySource.opamp = 'Disconnected';
      this.setState(r, 'Disconnected', at);
      return result;
    }
    const derived = deriveState(reported).state;
    const changed = derived !== r.bySource.opamp;
    r.bySource.opamp = derived;
    if (r.state === 'Disconnected') {
      // Back: it connected, then (if so) moved on to what it reports.
      this.setState(r, 'Connected', at);
      this.setState(r, derived, at);
    } else if (changed) {
      this.setState(r, derived, at);
    }
    return result;
  }

  private applyDisconnect(id: string, at: number): void {
    const r = this.records.get(id);
    if (!r) return;
    r.bySource.opamp = 'Disconnected';
    this.setState(r, 'Disconnected', at);
  }

  private applyReportedState(obs: Extract<CollectorObservation, { kind: 'reported_state' }>): void {
    if (obs.unknownStatus !== undefined) this.unknownStatuses.set(obs.unknownStatus, (this.unknownStatuses.get(obs.unknownStatus) ?? 0) + 1);
    let r = this.records.get(obs.collectorId);
    const since = obs.since ?? obs.at;
    if (!r) {
      // Nothing to place a collector of unknown state in: wait for a known one.
      if (obs.state === undefined) return;
      // A first sighting is not a transition we watched: adopt the state.
      r = this.create(obs.collectorId, obs.source, obs.state, since);
    } else if (obs.state !== undefined && (obs.source === 'events' || obs.state !== r.bySource[obs.source])) {
      // A report of a state that began before the current one is stale.
      if (since >= r.since) this.setState(r, obs.state, since);
    }
    if (obs.state !== undefined) r.bySource[obs.source] = obs.state;
    r.name = obs.name ?? r.name;
    r.version = obs.version ?? r.version;
    r.host = obs.host ?? r.host;
    r.source = obs.source;
    if (obs.lastSeen !== undefined) r.lastSeen = Math.max(r.lastSeen, obs.lastSeen);
    this.touch(r);
  }

  /** A collector seen for the first time, placed in its first state. */
  private create(id: string, source: SourceName, state: CollectorState, since: number): CollectorRecord {
    const r: CollectorRecord = { id, state, since, lastSeen: 0, name: '', version: '', host: '', source, bySource: {} };
    this.records.set(id, r);
    this.counts.set(state, this.fleetCount(state) + 1);
    this.touch(r);
    return r;
  }

  private setState(r: CollectorRecord, to: CollectorState, at: number): void {
    if (r.state === to) return;
    this.countEdge(r.state, to);
    this.move(r, to, at);
  }

  private countEdge(from: FromState, to: CollectorState): void {
    const table = isLegal(from, to) ? this.transitions : this.illegalTransitions;
    const key = edgeKey(from, to);
    const entry = table.get(key);
    if (entry) entry.count += 1;
    else table.set(key, { from, to, count: 1 });
  }

  private move(r: CollectorRecord, to: CollectorState, at: number): void {
    this.counts.set(r.state, this.fleetCount(r.state) - 1);
    this.counts.set(to, this.fleetCount(to) + 1);
    r.state = to;
    r.since = at;
    this.touch(r);
  }

  private touch(r: CollectorRecord): void {
    this.versions.bump(r.id);
    this.dirty.add(r.id);
  }

  private forget(id: string): void {
    const r = this.records.get(id);
    if (!r) return;
    this.counts.set(r.state, this.fleetCount(r.state) - 1);
    this.records.delete(id);
    this.versions.delete(id);
    this.heardThisRun.delete(id);
    this.openSockets.delete(id);
    this.dirty.delete(id);
    this.forgotten.add(id);
  }
}
