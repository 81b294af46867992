/**
 * What one resource's formal.* metrics say about a connector instance
 * (reference, Topic B, "OTLP metrics"). Identity attributes are looked up
 * on the resource first, then on the data points, since the docs do not say
 * where ConnectorName and service.version are put.
 */
import { MAX_NAME_LENGTH } from '../../config.js';
import type { CounterReading, SeriesReading, Telemetry } from '../../observations.js';
import { TEMPORALITY_DELTA, type DecodedMetric, type DecodedResource } from './decoded.js';

export const METRICS = {
  heartbeat: 'formal.connector.instance.heartbeat',
  memoryPercent: 'formal.connector.memory.usage_percent',
  activeConnections: 'formal.connector.active_connections',
  connectionsOpened: 'formal.connector.connections_opened',
  connectionsClosed: 'formal.connector.connections_closed',
  pingsReceived: 'formal.control_plane.pings_received',
} as const;

const WANTED = new Set<string>(Object.values(METRICS));
export const isConnectorMetric = (name: string): boolean => WANTED.has(name);

export type TelemetryRejection = { reason: 'missing_instance_id' | 'invalid_resource'; message: string; dataPoints: number };

/** undefined when the resource has none of the formal.* metrics (someone else's telemetry). */
export function toTelemetry(resource: DecodedResource): Telemetry | TelemetryRejection | undefined {
  const metrics = new Map<string, DecodedMetric>();
  let dataPoints = 0;
  for (const m of resource.metrics) {
    if (m.points.length === 0) continue;
    const seen = metrics.get(m.name);
    // The same metric under several scopes: one series of points.
    metrics.set(m.name, seen ? { ...seen, points: [...seen.points, ...m.points] } : m);
    dataPoints += m.points.length;
  }
  if (metrics.size === 0) return undefined;

  const attribute = (key: string): string | undefined => {
    if (resource.attributes[key] !== undefined) return resource.attributes[key];
    for (const m of metrics.values()) for (const p of m.points) if (p.attributes[key] !== undefined) return p.attributes[key];
    return undefined;
  };
  const instance = attribute('service.instance.id') || attribute('host.name');
  if (!instance) return { reason: 'missing_instance_id', message: 'a resource with formal.* metrics has neither service.instance.id nor host.name', dataPoints };
  const connector = attribute('ConnectorName') || undefined;
  const version = attribute('service.version') || undefined;
  for (const [key, value] of [['service.instance.id or host.name', instance], ['ConnectorName', connector], ['service.version', version]] as const) {
    if (value !== undefined && value.length > MAX_NAME_LENGTH) {
      return { reason: 'invalid_resource', message: `${key} is longer than ${MAX_NAME_LENGTH} characters`, dataPoints };
    }
  }

  return {
    connector,
    instance,
    version,
    heartbeat: metrics.has(METRICS.heartbeat),
    memoryPercent: latest(metrics.get(METRICS.memoryPercent)),
    activeConnections: latest(metrics.get(METRICS.activeConnections)),
    connectionsOpened: counter(metrics.get(METRICS.connectionsOpened)),
    connectionsClosed: counter(metrics.get(METRICS.connectionsClosed)),
    pingsReceived: counter(metrics.get(METRICS.pingsReceived)),
    dataPoints,
  };
}

/** The most recent finite value of a gauge (or of a sum read as a gauge). */
function latest(m: DecodedMetric | undefined): number | undefined {
  let best: { time: number; value: number } | undefined;
  for (const p of m?.points ?? []) {
    if (Number.isFinite(p.value) && (!best || p.timeUnixNano >= best.time)) best = { time: p.timeUnixNano, value: p.value };
  }
  return best?.value;
}

/**
 * A sum's points, one reading per attribute set: of a cumulative set the
 * newest point (a batching Collector may send several), of a delta set
 * every point added up (each is its own interval's increase).
 */
function counter(m: DecodedMetric | undefined): CounterReading | undefined {
  if (!m) return undefined;
  const delta = m.type === 'sum' && m.temporality === TEMPORALITY_DELTA;
  const series = new Map<string, SeriesReading & { timeNs: number }>();
  for (const p of m.points) {
    if (!Number.isFinite(p.value)) continue;
    const key = attributeSet(p.attributes);
    const seen = series.get(key);
    if (seen && delta) seen.value += p.value;
    else if (!seen || p.timeUnixNano >= seen.timeNs) series.set(key, { key, value: p.value, startNs: p.startTimeUnixNano, timeNs: p.timeUnixNano });
  }
  if (series.size === 0) return undefined;
  return { delta, series: [...series.values()].map(({ key, value, startNs }) => ({ key, value, startNs })) };
}

function attributeSet(attributes: Record<string, string>): string {
  return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
