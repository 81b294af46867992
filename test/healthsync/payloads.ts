/**
 * Intake payloads for tests and the benchmark: the documented examples
 * (reference Topic A.2, verbatim) and builders for the same shapes.
 */

export const EXAMPLE_URN = 'urn:health:sourceId:streamId';

/** The REPEAT_SNAPSHOTS example: one message holding the whole snapshot. */
export const EXAMPLE_REPEAT_SNAPSHOTS = {
  collection_timestamp: 1548857167,
  internalHostname: 'host-a',
  events: {},
  metrics: [],
  service_checks: [],
  topologies: [],
  health: [
    {
      consistency_model: 'REPEAT_SNAPSHOTS',
      start_snapshot: { repeat_interval_s: 300, expiry_interval_s: 1200 },
      stop_snapshot: {},
      stream: { urn: 'urn:health:sourceId:streamId', sub_stream_id: 'agent-1' },
      check_states: [
        { checkStateId: 'checkStateId1', message: 'Server Running out of disk space', health: 'Deviating', topologyElementIdentifier: 'server-1', name: 'Disk Usage' },
        { checkStateId: 'checkStateId2', message: 'Provisioning failed. [Learn more](https://www.any-link.com)', health: 'Critical', topologyElementIdentifier: 'server-2', name: 'Health Monitor' },
      ],
    },
  ],
};

/** The REPEAT_STATES example's health item, in the common object. */
export const EXAMPLE_REPEAT_STATES = {
  collection_timestamp: 1548857167,
  internalHostname: 'host-a',
  events: {},
  metrics: [],
  service_checks: [],
  topologies: [],
  health: [
    {
      consistency_model: 'REPEAT_STATES',
      expiry: { repeat_interval_s: 300, expiry_interval_s: 600 },
      stream: { urn: 'urn:health:sourceId:streamId' },
      check_states: [{ checkStateId: 'checkStateId1', message: 'Server Running out of disk space', health: 'Deviating', topologyElementIdentifier: 'server-1', name: 'Disk Usage' }],
    },
  ],
};

/** The TRANSACTIONAL_INCREMENTS example, as the 5.1 curl example sends it: only the three fields. */
export const EXAMPLE_TRANSACTIONAL_INCREMENTS = {
  collection_timestamp: 1548857167,
  internalHostname: 'host-a',
  health: [
    {
      consistency_model: 'TRANSACTIONAL_INCREMENTS',
      increment: { checkpoint: { offset: 5, batch_index: 102 }, previous_checkpoint: { offset: 5, batch_index: 100 } },
      stream: { urn: 'urn:health:sourceId:streamId' },
      check_states: [
        { checkStateId: 'checkStateId1', message: 'Server Running out of disk space', health: 'Deviating', topologyElementIdentifier: 'server-1', name: 'Disk Usage' },
        { checkStateId: 'checkStateId3', delete: true },
      ],
    },
  ],
};

type Json = Record<string, unknown>;

export function envelope(health: Json[], host = 'host-a'): Json {
  return { collection_timestamp: 1767225600, internalHostname: host, events: {}, metrics: [], service_checks: [], topologies: [], health };
}

export function checkState(id: string, health = 'Clear', extra: Json = {}): Json {
  return { checkStateId: id, name: `check ${id}`, topologyElementIdentifier: `urn:host:/${id}`, health, message: `state of ${id}`, ...extra };
}

export interface Stream {
  urn?: string;
  /** Absent: the default sub stream. */
  sub?: string;
}

const stream = ({ urn = EXAMPLE_URN, sub }: Stream) => (sub === undefined ? { urn } : { urn, sub_stream_id: sub });

/** A REPEAT_SNAPSHOTS item: any of start, check states and stop. */
export function snapshot(s: Stream & { start?: { repeat: number; expiry?: number }; stop?: boolean; states?: Json[] }): Json {
  const item: Json = { consistency_model: 'REPEAT_SNAPSHOTS', stream: stream(s), check_states: s.states ?? [] };
  if (s.start) item.start_snapshot = s.start.expiry === undefined ? { repeat_interval_s: s.start.repeat } : { repeat_interval_s: s.start.repeat, expiry_interval_s: s.start.expiry };
  if (s.stop) item.stop_snapshot = {};
  return item;
}

/** A REPEAT_STATES item, with or without its `expiry` setup. */
export function states(s: Stream & { expiry?: { repeat: number; expiry?: number }; states?: Json[] }): Json {
  const item: Json = { consistency_model: 'REPEAT_STATES', stream: stream(s), check_states: s.states ?? [] };
  if (s.expiry) item.expiry = s.expiry.expiry === undefined ? { repeat_interval_s: s.expiry.repeat } : { repeat_interval_s: s.expiry.repeat, expiry_interval_s: s.expiry.expiry };
  return item;
}

export type Cp = [offset: number, batchIndex?: number];
const cp = ([offset, batchIndex]: Cp) => (batchIndex === undefined ? { offset } : { offset, batch_index: batchIndex });

/** A TRANSACTIONAL_INCREMENTS item. */
export function increment(s: Stream & { checkpoint: Cp; previous?: Cp; states?: Json[] }): Json {
  const inc: Json = { checkpoint: cp(s.checkpoint) };
  if (s.previous) inc.previous_checkpoint = cp(s.previous);
  return { consistency_model: 'TRANSACTIONAL_INCREMENTS', increment: inc, stream: stream(s), check_states: s.states ?? [] };
}

export function deletion(id: string): Json {
  return { checkStateId: id, delete: true };
}

/** `n` check states with ids `<prefix>-0…`, healths cycling through the three values. */
export function manyStates(n: number, prefix = 'check'): Json[] {
  const healths = ['Clear', 'Deviating', 'Critical'];
  return Array.from({ length: n }, (_, i) => checkState(`${prefix}-${i}`, healths[i % 3]));
}
