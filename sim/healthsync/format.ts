/**
 * The StackState receiver intake format, as the simulated sources write it
 * (reference Topic A.1–A.2): the common object, and the health items of the
 * three consistency models.
 */

/** The doc examples write health in mixed case; the receiver reads it case-insensitively. */
export type HealthValue = 'Clear' | 'Deviating' | 'Critical';

export interface CheckState {
  checkStateId: string;
  name: string;
  topologyElementIdentifier: string;
  health: HealthValue;
  /** Markdown. */
  message: string;
}

export interface StreamRef {
  urn: string;
  /** Absent: the stream's default sub stream. */
  sub_stream_id?: string;
}

export interface Checkpoint {
  offset: number;
  /** The last index contained in the message. */
  batch_index?: number;
}

/** `repeat_interval_s` and `expiry_interval_s`, whole seconds. */
export interface Intervals {
  repeat_interval_s: number;
  expiry_interval_s?: number;
}

export type HealthItem = Record<string, unknown>;
export type IntakeBody = Record<string, unknown>;

/** `urn:health:<sourceId>:<streamId>`, each part quoted as the Python agent does. */
export function healthUrn(sourceId: string, streamId: string): string {
  return `urn:health:${encodeURIComponent(sourceId)}:${encodeURIComponent(streamId)}`;
}

const now = () => Math.floor(Date.now() / 1000);

/** The common object an agent sends, every field present. */
export function commonObject(host: string, health: HealthItem[] | undefined, topologies: unknown[] = []): IntakeBody {
  const body: IntakeBody = { collection_timestamp: now(), internalHostname: host, events: {}, metrics: [], service_checks: [], topologies };
  if (health) body.health = health;
  return body;
}

/** The 5.1 Transactional Increments curl example's minimal body: only these three fields. */
export function minimalObject(host: string, health: HealthItem[]): IntakeBody {
  return { collection_timestamp: now(), internalHostname: host, health };
}

/** A REPEAT_SNAPSHOTS item: any of start, check states and stop. */
export function snapshotItem(stream: StreamRef, part: { start?: Intervals; checkStates?: unknown[]; stop?: boolean }): HealthItem {
  const item: HealthItem = { consistency_model: 'REPEAT_SNAPSHOTS', stream, check_states: part.checkStates ?? [] };
  if (part.start) item.start_snapshot = part.start;
  if (part.stop) item.stop_snapshot = {};
  return item;
}

/** A REPEAT_STATES item with its `expiry` setup. */
export function statesItem(stream: StreamRef, expiry: Intervals, checkStates: unknown[]): HealthItem {
  return { consistency_model: 'REPEAT_STATES', expiry, stream, check_states: checkStates };
}

/** A TRANSACTIONAL_INCREMENTS item; the first of a sub stream has no previous checkpoint. */
export function incrementItem(stream: StreamRef, checkpoint: Checkpoint, previous: Checkpoint | undefined, checkStates: unknown[]): HealthItem {
  const increment: Record<string, Checkpoint> = { checkpoint };
  if (previous) increment.previous_checkpoint = previous;
  return { consistency_model: 'TRANSACTIONAL_INCREMENTS', increment, stream, check_states: checkStates };
}

/** An explicit delete, as the agent sends it. */
export const deletion = (checkStateId: string) => ({ checkStateId, delete: true });

/**
 * A topology-heavy body with no health (an agent resending its topology):
 * the exporter does not read it, but its tee forwards every byte upstream.
 */
export function topologyBody(host: string, approxBytes: number): IntakeBody {
  const component = (i: number) => ({
    externalId: `urn:process:/${host}/${i}`,
    type: { name: 'process' },
    data: { name: `worker-${i}`, command: '/usr/bin/worker --config /etc/worker/worker.yaml', tags: ['sim', `host:${host}`] },
  });
  const each = JSON.stringify(component(0)).length + 1;
  const components = Array.from({ length: Math.max(1, Math.ceil(approxBytes / each)) }, (_, i) => component(i));
  return commonObject(host, undefined, [{ instance: { type: 'sim', url: host }, start_snapshot: {}, stop_snapshot: {}, components, relations: [] }]);
}
