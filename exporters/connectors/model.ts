/**
 * Connector instances: per instance its lifecycle (from probes), heartbeats
 * and misses, what its OTLP telemetry last said, and per connector the stop
 * counts and the gap and time-to-ready histograms. Pure and deterministic:
 * observations and `tick(now)` are the only inputs.
 *
 * Identity. An instance is (connector, instance). Discovered instances are
 * named by their probe address `host:port`; OTLP names an instance by
 * `service.instance.id`, else `host.name`. Telemetry joins a discovered
 * instance whose address or host equals that name (and whose connector
 * equals ConnectorName, when sent); otherwise the instance is known only
 * from OTLP, under ConnectorName or the default connector.
 *
 * Heartbeats come from OTLP once an instance has sent one; until then, each
 * successful liveness probe is a heartbeat, expected every probe interval.
 */
import { EntityVersions } from '../core/entity-versions.js';
import { emptyHistogram, observe, type HistogramData } from '../core/histogram.js';
import { connectorsCatalog as c } from './catalog.js';
import { advanceCounter, type CounterState } from './counters.js';
import { isSuccess, nextState, type LifecycleState, type StopKind } from './lifecycle.js';
import type { ConnectorObservation, ProbeOutcome, Telemetry } from './observations.js';
import { normaliseName, type DiscoverySource, type Target } from './targets.js';

export interface InstanceRecord {
  connector: string;
  /** host:port for discovered instances; the OTLP name for the others. */
  instance: string;
  /** Where discovery found it; undefined for an instance known only from OTLP. */
  source?: DiscoverySource;
  /** When discovery stopped yielding it; it is still probed until the grace period ends. */
  removedAt?: number;
  state?: LifecycleState;
  /** When the current lifecycle state began. */
  since?: number;
  /** When it was first seen starting, until it is seen ready. */
  startingSince?: number;
  restarts: number;
  heartbeatSource?: 'probe' | 'otlp';
  lastHeartbeat?: number;
  missed: number;
  version: string;
  memoryPercent?: number;
  activeConnections?: number;
  connectionsOpened?: CounterState;
  connectionsClosed?: CounterState;
  pings?: CounterState;
  lastPing?: number;
  /** When OTLP data last came; instances known only from OTLP are forgotten after a silence. */
  lastTelemetry?: number;
}

export interface ConnectorTotals {
  connector: string;
  stops: Record<StopKind, number>;
  heartbeatGaps: HistogramData;
  timeToReady: HistogramData;
}

export interface ProbeResult {
  health: ProbeOutcome;
  ready: ProbeOutcome;
}

export interface ModelOptions {
  probeIntervalMs: number;
  otlpHeartbeatIntervalMs: number;
  /** A heartbeat is missed when the silence passes interval × tolerance. */
  heartbeatTolerance: number;
  gracePeriodMs: number;
  otlpForgetAfterMs: number;
  otlpMaxInstances: number;
  defaultConnector: string;
}

export interface ConnectorSummary {
  readyInstances: number;
  versions: number;
}

export interface Changes {
  instances: Array<[string, InstanceRecord | undefined]>;
  connectors: Array<[string, ConnectorTotals | undefined]>;
}

export type TelemetryResult = 'accepted' | 'too_many_instances';

export class ConnectorsModel {
  private readonly records = new Map<string, InstanceRecord>();
  private readonly totals = new Map<string, ConnectorTotals>();
  /** Render version per instance: bumped on every change the view shows. */
  private readonly versions = new EntityVersions();
  /** Last probe per instance; refreshed every interval, so not stored. */
  private readonly probes = new Map<string, ProbeResult>();
  /** Misses already counted in the current silence, per instance. */
  private readonly missedInSilence = new Map<string, number>();
  /** Address and host of discovered instances → their keys, to join OTLP names. */
  private readonly aliases = new Map<string, Set<string>>();
  private readonly instancesPerConnector = new Map<string, number>();
  private otlpOnly = 0;
  /** When the probe round in flight began. */
  private roundStart: number | undefined;
  /**
   * When the next probe round was due after the last completed one. Probe
   * heartbeats cannot come sooner than a round reaches the instance, so
   * their silence is counted only up to here: a round that overruns is our
   * slowness, not the instances'.
   */
  private nextRoundDue: number;
  /** Probe silences and gaps count from here: this run's start, or the end of the last round that overran. */
  private probeFloor: number;
  private readonly dirty = new Set<string>();
  private readonly dropped = new Set<string>();
  private readonly dirtyConnectors = new Set<string>();
  readonly discoveryTargets = new Map<DiscoverySource, number>();
  readonly discoveryErrors = new Map<DiscoverySource, number>();
  dataPoints = 0;

  /** `startedAt`: when this run began; silence before it is the exporter's, not the instances'. */
  constructor(
    private readonly opts: ModelOptions,
    private readonly startedAt: number,
  ) {
    this.nextRoundDue = startedAt;
    this.probeFloor = startedAt;
  }

  static key(connector: string, instance: string): string {
    return JSON.stringify([connector, instance]);
  }

  /** Restores state from the store. */
  restore(instances: Iterable<InstanceRecord>, connectors: Iterable<ConnectorTotals>): void {
    for (const t of connectors) this.totals.set(t.connector, t);
    for (const r of instances) this.add(r);
  }

  get size(): number {
    return this.records.size;
  }

  get(connector: string, instance: string): InstanceRecord | undefined {
    return this.records.get(ConnectorsModel.key(connector, instance));
  }

  all(): IterableIterator<[string, InstanceRecord]> {
    return this.records.entries();
  }

  connectors(): IterableIterator<ConnectorTotals> {
    return this.totals.values();
  }

  version(key: string): number {
    return this.versions.get(key);
  }

  probe(key: string): ProbeResult | undefined {
    return this.probes.get(key);
  }

  /** Instances to probe: every discovered one, and those that left discovery within the grace period. */
  probeTargets(): Array<{ key: string; address: string }> {
    const out: Array<{ key: string; address: string }> = [];
    for (const [key, r] of this.records) if (r.source !== undefined) out.push({ key, address: r.instance });
    return out;
  }

  apply(obs: ConnectorObservation): TelemetryResult {
    switch (obs.kind) {
      case 'targets':
        this.applyTargets(obs.targets, obs.at);
        return 'accepted';
      case 'round_started':
        this.roundStart = obs.at;
        return 'accepted';
      case 'probe':
        this.applyProbe(obs.key, obs.health, obs.ready, obs.at);
        return 'accepted';
      case 'round_completed':
        this.completeRound(obs.at);
        return 'accepted';
      case 'telemetry':
        return this.applyTelemetry(obs.telemetry, obs.at);
      case 'discovery_failed':
        this.discoveryErrors.set(obs.source, (this.discoveryErrors.get(obs.source) ?? 0) + 1);
        return 'accepted';
    }
  }

  /** The passing of time: missed heartbeats, and instances gone past their grace period. */
  tick(now: number): void {
    for (const [key, r] of this.records) {
      this.countMisses(key, r, now);
      const gone = r.removedAt !== undefined && now - r.removedAt >= this.opts.gracePeriodMs;
      // Silence while the exporter was down is not the instance's.
      const silent = r.source === undefined && now - Math.max(r.lastTelemetry ?? 0, this.startedAt) >= this.opts.otlpForgetAfterMs;
      if (gone || silent) this.drop(key, r);
    }
  }

  /** Ready instances and distinct versions of live instances, per connector. */
  summaries(): Map<string, ConnectorSummary> {
    const versions = new Map<string, Set<string>>();
    const out = new Map<string, ConnectorSummary>();
    for (const t of this.totals.values()) {
      out.set(t.connector, { readyInstances: 0, versions: 0 });
      versions.set(t.connector, new Set());
    }
    for (const [key, r] of this.records) {
      const s = out.get(r.connector)!;
      if (r.state === 'ready') s.readyInstances += 1;
      if (r.version !== '' && this.isLive(key, r)) versions.get(r.connector)!.add(r.version);
    }
    for (const [connector, s] of out) s.versions = versions.get(connector)!.size;
    return out;
  }

  /** What changed since the last call, for the store (undefined: delete). */
  takeChanges(): Changes {
    const instances: Changes['instances'] = [];
    for (const key of this.dirty) instances.push([key, this.records.get(key)]);
    for (const key of this.dropped) if (!this.dirty.has(key)) instances.push([key, undefined]);
    const connectors: Changes['connectors'] = [...this.dirtyConnectors].map((name) => [name, this.totals.get(name)]);
    this.dirty.clear();
    this.dropped.clear();
    this.dirtyConnectors.clear();
    return { instances, connectors };
  }

  private applyTargets(targets: readonly Target[], at: number): void {
    const wanted = new Map<string, Target>();
    for (const t of targets) {
      const key = ConnectorsModel.key(t.connector, t.address);
      if (!wanted.has(key)) wanted.set(key, t);
    }
    this.discoveryTargets.clear();
    for (const [key, t] of wanted) {
      this.discoveryTargets.set(t.source, (this.discoveryTargets.get(t.source) ?? 0) + 1);
      const r = this.records.get(key);
      if (!r) {
        this.add(this.newRecord(t.connector, t.address, t.source));
        this.touch(key);
      } else if (r.source !== t.source || r.removedAt !== undefined) {
        if (r.source === undefined) this.becomeDiscovered(key, r);
        r.source = t.source;
        r.removedAt = undefined;
        this.touch(key);
      }
    }
    for (const [key, r] of this.records) {
      if (r.source !== undefined && r.removedAt === undefined && !wanted.has(key)) {
        r.removedAt = at;
        this.touch(key);
      }
    }
  }

  private completeRound(at: number): void {
    if (this.roundStart === undefined) return;
    this.nextRoundDue = this.roundStart + this.opts.probeIntervalMs;
    if (at - this.roundStart > this.opts.probeIntervalMs) {
      // The round overran: probe silences start again from now, like after a restart of the exporter.
      this.probeFloor = at;
      for (const [key, r] of this.records) if (r.heartbeatSource === 'probe') this.missedInSilence.delete(key);
    }
    this.roundStart = undefined;
  }

  private applyProbe(key: string, health: ProbeOutcome, ready: ProbeOutcome, at: number): void {
    const r = this.records.get(key);
    if (!r || r.source === undefined) return;
    // A state not yet probed in this run was stored before it: what happened while the exporter was down is unknown.
    const restored = r.state !== undefined && !this.probes.has(key);
    this.probes.set(key, { health, ready });
    this.bump(key);
    const alive = isSuccess(health.status);
    if (alive && r.heartbeatSource !== 'otlp') this.heartbeat(key, r, 'probe', at);
    const t = nextState(r.state, alive, isSuccess(ready.status));
    if (t.to === r.state) return;
    const totals = this.totalsOf(r.connector);
    if (t.stop && !restored) {
      totals.stops[t.stop] += 1;
      this.dirtyConnectors.add(r.connector);
    }
    if (t.restart) r.restarts += 1;
    if (t.to === 'ready' && r.state === 'starting' && r.startingSince !== undefined && r.startingSince >= this.startedAt) {
      observe(totals.timeToReady, c.connector_time_to_ready_seconds.buckets, (at - r.startingSince) / 1000);
      this.dirtyConnectors.add(r.connector);
    }
    r.startingSince = t.to === 'starting' ? at : undefined;
    r.state = t.to;
    r.since = at;
    this.touch(key);
  }

  private applyTelemetry(t: Telemetry, at: number): TelemetryResult {
    const joined = this.joinDiscovered(t.connector, normaliseName(t.instance));
    const connector = t.connector ?? this.opts.defaultConnector;
    const alone = ConnectorsModel.key(connector, t.instance);
    const key = joined ?? alone;
    let r = this.records.get(key);
    if (!r) {
      if (this.otlpOnly >= this.opts.otlpMaxInstances) return 'too_many_instances';
      r = this.newRecord(connector, t.instance, undefined);
      this.add(r);
    }
    // Known under its OTLP name before discovery found it: that entry is now a duplicate.
    const duplicate = joined !== undefined ? this.records.get(alone) : undefined;
    if (duplicate && duplicate.source === undefined) this.drop(alone, duplicate);

    r.lastTelemetry = at;
    if (t.version) r.version = t.version;
    if (t.heartbeat) this.heartbeat(key, r, 'otlp', at);
    if (t.memoryPercent !== undefined) r.memoryPercent = t.memoryPercent;
    if (t.activeConnections !== undefined) r.activeConnections = t.activeConnections;
    if (t.connectionsOpened) advanceCounter((r.connectionsOpened ??= { total: 0 }), t.connectionsOpened);
    if (t.connectionsClosed) advanceCounter((r.connectionsClosed ??= { total: 0 }), t.connectionsClosed);
    if (t.pingsReceived && advanceCounter((r.pings ??= { total: 0 }), t.pingsReceived) > 0) r.lastPing = at;
    this.dataPoints += t.dataPoints;
    this.touch(key);
    return 'accepted';
  }

  /** The discovered instance whose address or host is `name` (in `connector`, if given), if exactly one is. */
  private joinDiscovered(connector: string | undefined, name: string): string | undefined {
    const candidates = [...(this.aliases.get(name) ?? [])].filter((key) => connector === undefined || this.records.get(key)!.connector === connector);
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  private heartbeat(key: string, r: InstanceRecord, source: 'probe' | 'otlp', at: number): void {
    if (source === 'otlp' && r.heartbeatSource !== 'otlp') {
      // The first OTLP heartbeat: from now on only OTLP counts, and its gaps start here.
      r.heartbeatSource = 'otlp';
      r.lastHeartbeat = at;
      this.missedInSilence.delete(key);
      this.touch(key);
      return;
    }
    r.heartbeatSource = source;
    if (r.lastHeartbeat !== undefined) {
      if (at <= r.lastHeartbeat) return;
      this.countMisses(key, r, at);
      // A gap that spans the exporter's downtime, or a probe gap that spans a round that overran, is ours.
      const floor = source === 'probe' ? this.probeFloor : this.startedAt;
      const lateRound = source === 'probe' && this.roundStart !== undefined && at - this.roundStart > this.opts.probeIntervalMs;
      if (r.lastHeartbeat >= floor && !lateRound) {
        observe(this.totalsOf(r.connector).heartbeatGaps, c.connector_heartbeat_gap_seconds.buckets, (at - r.lastHeartbeat) / 1000);
        this.dirtyConnectors.add(r.connector);
      }
    }
    r.lastHeartbeat = at;
    this.missedInSilence.delete(key);
    this.touch(key);
  }

  /** Counts the heartbeats due by `now` that have not come. */
  private countMisses(key: string, r: InstanceRecord, now: number): void {
    if (r.lastHeartbeat === undefined) return;
    const probe = r.heartbeatSource === 'probe';
    const interval = probe ? this.opts.probeIntervalMs : this.opts.otlpHeartbeatIntervalMs;
    const threshold = interval * this.opts.heartbeatTolerance;
    const from = Math.max(r.lastHeartbeat, probe ? this.probeFloor : this.startedAt);
    const silence = (probe ? Math.min(now, this.nextRoundDue) : now) - from;
    const due = silence > threshold ? Math.floor((silence - threshold) / interval) + 1 : 0;
    const counted = this.missedInSilence.get(key) ?? 0;
    if (due <= counted) return;
    r.missed += due - counted;
    this.missedInSilence.set(key, due);
    this.touch(key);
  }

  /** Down instances are not live; nor is one known only from OTLP whose heartbeats are being missed. */
  private isLive(key: string, r: InstanceRecord): boolean {
    if (r.source !== undefined) return r.state !== undefined && r.state !== 'down';
    return (this.missedInSilence.get(key) ?? 0) === 0;
  }

  private newRecord(connector: string, instance: string, source: DiscoverySource | undefined): InstanceRecord {
    return { connector, instance, source, restarts: 0, missed: 0, version: '' };
  }

  private add(r: InstanceRecord): void {
    const key = ConnectorsModel.key(r.connector, r.instance);
    this.records.set(key, r);
    this.versions.bump(key);
    this.instancesPerConnector.set(r.connector, (this.instancesPerConnector.get(r.connector) ?? 0) + 1);
    this.totalsOf(r.connector);
    if (r.source === undefined) this.otlpOnly += 1;
    else this.addAliases(key, r);
  }

  private becomeDiscovered(key: string, r: InstanceRecord): void {
    this.otlpOnly -= 1;
    this.addAliases(key, r);
  }

  private drop(key: string, r: InstanceRecord): void {
    this.records.delete(key);
    this.versions.delete(key);
    this.probes.delete(key);
    this.missedInSilence.delete(key);
    this.dirty.delete(key);
    this.dropped.add(key);
    if (r.source === undefined) this.otlpOnly -= 1;
    else this.removeAliases(key, r);
    const left = (this.instancesPerConnector.get(r.connector) ?? 1) - 1;
    if (left > 0) {
      this.instancesPerConnector.set(r.connector, left);
    } else {
      // The connector's last instance is gone: so are its totals.
      this.instancesPerConnector.delete(r.connector);
      this.totals.delete(r.connector);
      this.dirtyConnectors.add(r.connector);
    }
  }

  private addAliases(key: string, r: InstanceRecord): void {
    for (const alias of aliasesOf(r.instance)) {
      let keys = this.aliases.get(alias);
      if (!keys) this.aliases.set(alias, (keys = new Set()));
      keys.add(key);
    }
  }

  private removeAliases(key: string, r: InstanceRecord): void {
    for (const alias of aliasesOf(r.instance)) {
      const keys = this.aliases.get(alias);
      keys?.delete(key);
      if (keys?.size === 0) this.aliases.delete(alias);
    }
  }

  private totalsOf(connector: string): ConnectorTotals {
    let t = this.totals.get(connector);
    if (!t) {
      t = {
        connector,
        stops: { graceful: 0, unexpected: 0 },
        heartbeatGaps: emptyHistogram(c.connector_heartbeat_gap_seconds.buckets),
        timeToReady: emptyHistogram(c.connector_time_to_ready_seconds.buckets),
      };
      this.totals.set(connector, t);
      this.dirtyConnectors.add(connector);
    }
    return t;
  }

  /** A change the view shows and the store keeps. */
  private touch(key: string): void {
    this.bump(key);
    this.dirty.add(key);
  }

  /** A change the view shows only. */
  private bump(key: string): void {
    this.versions.bump(key);
  }
}

/** The names OTLP may use for a discovered instance: its host:port, and its host. */
function aliasesOf(address: string): string[] {
  const host = address.startsWith('[') ? address.slice(1, address.indexOf(']')) : address.slice(0, address.lastIndexOf(':'));
  return [address, host];
}
