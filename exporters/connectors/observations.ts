/**
 * What the sources tell the model: small typed, timestamped facts. Times are
 * milliseconds since the epoch on the exporter's clock.
 */
import type { DiscoverySource, Target } from './targets.js';

export type Endpoint = 'health' | 'ready';
export const ENDPOINTS: readonly Endpoint[] = ['health', 'ready'];

export interface ProbeOutcome {
  /** HTTP status, or 0 when no response came. */
  status: number;
  durationMs: number;
}

/** One attribute set of an OTLP sum in one request. */
export interface SeriesReading {
  /** The attribute set, as sorted [key, value] pairs in JSON. */
  key: string;
  /** Cumulative: the newest point's value. Delta: the increase, its points added up. */
  value: number;
  /** start_time_unix_nano of a cumulative series; a new one means the sender restarted. */
  startNs: number;
}

/** One reading of an OTLP sum (or a gauge read as a running count), per attribute set. */
export interface CounterReading {
  /** true for delta temporality: the values are increases. */
  delta: boolean;
  series: SeriesReading[];
}

/** What one resource's formal.* metrics in one OTLP request said. */
export interface Telemetry {
  /** ConnectorName, if the sender set it. */
  connector?: string;
  /** service.instance.id, else host.name. */
  instance: string;
  /** service.version. */
  version?: string;
  heartbeat: boolean;
  memoryPercent?: number;
  activeConnections?: number;
  connectionsOpened?: CounterReading;
  connectionsClosed?: CounterReading;
  pingsReceived?: CounterReading;
  /** Data points of the formal.* metrics read. */
  dataPoints: number;
}

export type ConnectorObservation =
  /** Every target all discovery sources yield now. */
  | { kind: 'targets'; at: number; targets: readonly Target[] }
  /** A probe round began (before its DNS refresh). */
  | { kind: 'round_started'; at: number }
  /** One probe of both endpoints of an instance (key from ConnectorsModel.key). */
  | { kind: 'probe'; at: number; key: string; health: ProbeOutcome; ready: ProbeOutcome }
  /** The round in flight has applied every probe. */
  | { kind: 'round_completed'; at: number }
  | { kind: 'telemetry'; at: number; telemetry: Telemetry }
  /** A discovery source failed and kept its last good targets. */
  | { kind: 'discovery_failed'; at: number; source: DiscoverySource };
