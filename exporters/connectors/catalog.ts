/** Every family the connectors exporter emits. */
import { defineCatalog } from '../core/catalog.js';

/** Per instance: one series per connector instance being tracked (see README, "Cardinality"). */
const PER_INSTANCE = 'one per tracked instance';

export const connectorsCatalog = defineCatalog('connectors', {
  connector_info: {
    type: 'gauge',
    help: 'Always 1; a connector instance and the version it last reported (service.version over OTLP; empty until it does).',
    labels: ['connector', 'instance', 'version'],
    cardinality: PER_INSTANCE,
  },
  connector_up: {
    type: 'gauge',
    help: '1 if the last liveness probe (GET /health) answered 2xx, else 0 (blackbox probe_success).',
    labels: ['connector', 'instance'],
    cardinality: 'one per probed instance',
  },
  connector_ready: {
    type: 'gauge',
    help: '1 if the last readiness probe (GET /ready) answered 2xx, else 0.',
    labels: ['connector', 'instance'],
    cardinality: 'one per probed instance',
  },
  connector_probe_duration_seconds: {
    type: 'gauge',
    help: 'How long the last probe of the endpoint took, until the answer or the timeout.',
    labels: ['connector', 'instance', 'endpoint'],
    unit: 'seconds',
    cardinality: '2 per probed instance (health, ready)',
  },
  connector_probe_http_status_code: {
    type: 'gauge',
    help: 'HTTP status of the last probe of the endpoint; 0 when no response came (refused, reset, timeout), as blackbox_exporter does.',
    labels: ['connector', 'instance', 'endpoint'],
    cardinality: '2 per probed instance (health, ready)',
  },
  connector_lifecycle_state: {
    type: 'gauge',
    help: 'Lifecycle of an instance from its probes: 1 for the state it is in (starting, ready, draining, down), 0 for the other three.',
    labels: ['connector', 'instance', 'state'],
    cardinality: '4 per probed instance',
  },
  connector_lifecycle_state_since_timestamp_seconds: {
    type: 'gauge',
    help: 'When the instance entered its current lifecycle state, as a Unix time.',
    labels: ['connector', 'instance'],
    unit: 'seconds',
    cardinality: 'one per probed instance',
  },
  connector_stops_total: {
    type: 'counter',
    help: 'Instances seen going down: graceful when the instance drained (ready, then /ready 503 while alive) before it went down, unexpected otherwise.',
    labels: ['connector', 'kind'],
    cardinality: '2 per connector',
  },
  connector_restarts_total: {
    type: 'counter',
    help: 'Times the instance came back (alive again) after being seen down.',
    labels: ['connector', 'instance'],
    cardinality: 'one per probed instance',
  },
  connector_time_to_ready_seconds: {
    type: 'histogram',
    help: 'Time from an instance first being seen starting (alive, not ready) to it being seen ready; resolution is the probe interval.',
    labels: ['connector'],
    unit: 'seconds',
    buckets: [1, 5, 10, 20, 30, 60, 120, 300, 600],
    cardinality: 'one histogram per connector',
  },
  connector_last_heartbeat_timestamp_seconds: {
    type: 'gauge',
    help: 'When the last heartbeat was heard (an OTLP formal.connector.instance.heartbeat, or a successful liveness probe for instances that send no OTLP heartbeat), as a Unix time.',
    labels: ['connector', 'instance'],
    unit: 'seconds',
    cardinality: PER_INSTANCE,
  },
  connector_heartbeat_gap_seconds: {
    type: 'histogram',
    help: 'Time between consecutive heartbeats of an instance.',
    labels: ['connector'],
    unit: 'seconds',
    buckets: [1, 5, 10, 15, 20, 30, 45, 60, 90, 120, 300, 600],
    cardinality: 'one histogram per connector',
  },
  connector_heartbeats_missed_total: {
    type: 'counter',
    help: 'Heartbeats that did not come: one when the silence passes the expected interval times the tolerance, one more for each further interval.',
    labels: ['connector', 'instance'],
    cardinality: PER_INSTANCE,
  },
  connector_control_plane_last_ping_timestamp_seconds: {
    type: 'gauge',
    help: 'When formal.control_plane.pings_received was last seen to increase, as a Unix time.',
    labels: ['connector', 'instance'],
    unit: 'seconds',
    cardinality: 'one per instance sending OTLP',
  },
  connector_control_plane_pings_total: {
    type: 'counter',
    help: 'Control Plane pings the instance received (formal.control_plane.pings_received); rate() gives pings per second.',
    labels: ['connector', 'instance'],
    cardinality: 'one per instance sending OTLP',
  },
  connector_memory_usage_percent: {
    type: 'gauge',
    help: 'Share of its runtime memory allotment the instance uses, 0-100 (formal.connector.memory.usage_percent).',
    labels: ['connector', 'instance'],
    unit: 'percent',
    cardinality: 'one per instance sending OTLP',
  },
  connector_active_connections: {
    type: 'gauge',
    help: 'Open client TCP connections on the instance (formal.connector.active_connections).',
    labels: ['connector', 'instance'],
    cardinality: 'one per instance sending OTLP',
  },
  connector_connections_opened_total: {
    type: 'counter',
    help: 'Client TCP connections the instance accepted (formal.connector.connections_opened).',
    labels: ['connector', 'instance'],
    cardinality: 'one per instance sending OTLP',
  },
  connector_connections_closed_total: {
    type: 'counter',
    help: 'Client TCP connections the instance closed (formal.connector.connections_closed).',
    labels: ['connector', 'instance'],
    cardinality: 'one per instance sending OTLP',
  },
  connector_ready_instances: {
    type: 'gauge',
    help: 'Instances of the connector whose lifecycle state is ready: the redundancy left.',
    labels: ['connector'],
    cardinality: 'one per connector',
  },
  connector_versions: {
    type: 'gauge',
    help: 'Distinct service.version values among the connector\'s live instances; above 1 means version skew.',
    labels: ['connector'],
    cardinality: 'one per connector',
  },
  connector_discovery_targets: {
    type: 'gauge',
    help: 'Probe targets each discovery source currently yields.',
    labels: ['source'],
    cardinality: '3 (static, file_sd, dns)',
  },
  connector_discovery_errors_total: {
    type: 'counter',
    help: 'Discovery failures that kept the last good targets: unreadable or invalid file_sd files, failed DNS lookups.',
    labels: ['source'],
    cardinality: '2 (file_sd, dns)',
  },
  connector_otlp_data_points_total: {
    type: 'counter',
    help: 'OTLP data points of the formal.* metrics this exporter reads, accepted at /v1/metrics.',
    labels: [],
    cardinality: '1',
  },
});
