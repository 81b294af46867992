/**
 * Reads the connectors model and writes the connectors catalog. Each
 * instance's series are one entity block (re-rendered only when the model
 * bumps its version); the per-connector and discovery families are written
 * every scrape.
 */
import { familiesOf } from '../core/catalog.js';
import { toSeconds } from '../core/clock.js';
import type { MetricSource, SampleWriter } from '../core/exposition.js';
import { connectorsCatalog as c } from './catalog.js';
import { isSuccess, LIFECYCLE_STATES, STOP_KINDS } from './lifecycle.js';
import type { ConnectorsModel, InstanceRecord, ProbeResult } from './model.js';
import { ENDPOINTS } from './observations.js';
import { DISCOVERY_SOURCES } from './targets.js';

export class ConnectorsView implements MetricSource {
  readonly families = familiesOf(c);

  constructor(private readonly model: ConnectorsModel) {}

  collect(w: SampleWriter): void {
    const m = this.model;
    for (const [key, r] of m.all()) {
      w.entity(key, m.version(key), (e) => writeInstance(e, r, m.probe(key)));
    }
    const summaries = m.summaries();
    for (const t of m.connectors()) {
      const s = summaries.get(t.connector)!;
      w.sample(c.connector_ready_instances, [t.connector], s.readyInstances);
      w.sample(c.connector_versions, [t.connector], s.versions);
      for (const kind of STOP_KINDS) w.sample(c.connector_stops_total, [t.connector, kind], t.stops[kind]);
      w.histogram(c.connector_heartbeat_gap_seconds, [t.connector], t.heartbeatGaps);
      w.histogram(c.connector_time_to_ready_seconds, [t.connector], t.timeToReady);
    }
    for (const source of DISCOVERY_SOURCES) {
      w.sample(c.connector_discovery_targets, [source], m.discoveryTargets.get(source) ?? 0);
      if (source !== 'static') w.sample(c.connector_discovery_errors_total, [source], m.discoveryErrors.get(source) ?? 0);
    }
    w.sample(c.connector_otlp_data_points_total, [], m.dataPoints);
  }
}

function writeInstance(w: SampleWriter, r: InstanceRecord, probe: ProbeResult | undefined): void {
  const id = [r.connector, r.instance];
  w.sample(c.connector_info, [...id, r.version], 1);
  if (probe) {
    w.sample(c.connector_up, id, isSuccess(probe.health.status) ? 1 : 0);
    w.sample(c.connector_ready, id, isSuccess(probe.ready.status) ? 1 : 0);
    for (const endpoint of ENDPOINTS) {
      w.sample(c.connector_probe_duration_seconds, [...id, endpoint], toSeconds(probe[endpoint].durationMs));
      w.sample(c.connector_probe_http_status_code, [...id, endpoint], probe[endpoint].status);
    }
  }
  if (r.state !== undefined && r.since !== undefined) {
    for (const state of LIFECYCLE_STATES) w.sample(c.connector_lifecycle_state, [...id, state], state === r.state ? 1 : 0);
    w.sample(c.connector_lifecycle_state_since_timestamp_seconds, id, toSeconds(r.since));
  }
  if (r.source !== undefined) w.sample(c.connector_restarts_total, id, r.restarts);
  if (r.lastHeartbeat !== undefined) {
    w.sample(c.connector_last_heartbeat_timestamp_seconds, id, toSeconds(r.lastHeartbeat));
    w.sample(c.connector_heartbeats_missed_total, id, r.missed);
  }
  if (r.pings) w.sample(c.connector_control_plane_pings_total, id, r.pings.total);
  if (r.lastPing !== undefined) w.sample(c.connector_control_plane_last_ping_timestamp_seconds, id, toSeconds(r.lastPing));
  if (r.memoryPercent !== undefined) w.sample(c.connector_memory_usage_percent, id, r.memoryPercent);
  if (r.activeConnections !== undefined) w.sample(c.connector_active_connections, id, r.activeConnections);
  if (r.connectionsOpened) w.sample(c.connector_connections_opened_total, id, r.connectionsOpened.total);
  if (r.connectionsClosed) w.sample(c.connector_connections_closed_total, id, r.connectionsClosed.total);
}
