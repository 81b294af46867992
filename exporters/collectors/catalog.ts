/** Every family the collectors exporter emits. */
import { defineCatalog } from '../core/catalog.js';

export const collectorsCatalog = defineCatalog('collectors', {
  collector_info: {
    type: 'gauge',
    help: 'Always 1; identity of a collector: its name (service.name), version, host and the source that last reported it.',
    labels: ['collector_id', 'name', 'version', 'host', 'source'],
    cardinality: 'one per collector (none when per_collector_series is none)',
  },
  collector_state: {
    type: 'gauge',
    help: 'Connection state of a collector: 1 for the state it is in, 0 for the other six (only the 1 when per_collector_series is current).',
    labels: ['collector_id', 'state'],
    cardinality: '7 per collector (1 with current, 0 with none)',
  },
  collector_state_since_timestamp_seconds: {
    type: 'gauge',
    help: 'When the collector entered its current state, as a Unix time.',
    labels: ['collector_id'],
    unit: 'seconds',
    cardinality: 'one per collector',
  },
  collector_last_seen_timestamp_seconds: {
    type: 'gauge',
    help: 'When a source last heard from or about the collector itself (an OpAMP message, Bindplane reported_at), as a Unix time.',
    labels: ['collector_id'],
    unit: 'seconds',
    cardinality: 'one per collector',
  },
  collector_fleet_state: {
    type: 'gauge',
    help: 'How many known collectors are in each state.',
    labels: ['state'],
    cardinality: '7',
  },
  collector_state_transitions_total: {
    type: 'counter',
    help: 'State changes along a legal edge of the collector state diagram.',
    labels: ['from', 'to'],
    cardinality: '26 legal edges, each written from the start (0 until it happens)',
  },
  collector_illegal_transitions_total: {
    type: 'counter',
    help: 'State changes along an edge the diagram does not have; each means events were missed.',
    labels: ['from', 'to'],
    cardinality: '23 illegal edges, each written from the start (0 until it happens)',
  },
  collector_source_up: {
    type: 'gauge',
    help: '1 if the source works (the OpAMP server listens, the last Bindplane poll succeeded, the event API is served), else 0.',
    labels: ['source'],
    cardinality: 'one per enabled source (opamp, bindplane, events)',
  },
  collector_source_last_success_timestamp_seconds: {
    type: 'gauge',
    help: 'When the source last delivered data (an OpAMP message, a complete Bindplane poll, an accepted event batch), as a Unix time.',
    labels: ['source'],
    unit: 'seconds',
    cardinality: 'one per enabled source',
  },
  collector_opamp_messages_total: {
    type: 'counter',
    help: 'AgentToServer messages accepted, by transport.',
    labels: ['transport'],
    cardinality: '2 (http, websocket)',
  },
  collector_opamp_websocket_connections: {
    type: 'gauge',
    help: 'Open OpAMP WebSocket connections.',
    labels: [],
    cardinality: '1',
  },
  collector_opamp_full_state_requests_total: {
    type: 'counter',
    help: 'Replies that asked an agent for its full state (ReportFullState), by reason: unknown (new, or first message after an exporter restart) or sequence_gap.',
    labels: ['reason'],
    cardinality: '2',
  },
  collector_bindplane_unknown_status_total: {
    type: 'counter',
    help: 'Agents seen in a Bindplane poll with a status code the status map does not know; their state is left alone.',
    labels: ['status'],
    cardinality: 'the unknown codes Bindplane sends (a handful)',
  },
});
