/**
 * Reads a receiver intake body (the common object with its `health` array)
 * into health messages.
 *
 * Where the line between a 400 and a transformer error runs: anything that
 * keeps us from knowing which stream and sub stream an item is for, which
 * model it claims, or what its model object says (the envelope, `stream`,
 * `consistency_model`, `start_snapshot`, `stop_snapshot`, `expiry`,
 * `increment`, the `check_states` array itself) rejects the whole payload
 * with a 400 naming the field, and nothing is applied. Each item of
 * `check_states` is read on its own, as the receiver's transformation reads
 * it: an item it cannot interpret (a required field missing or empty, a
 * health value that is not Clear/Deviating/Critical) is skipped and raises
 * SubStreamTransformerError on its sub stream, and the rest of the message
 * applies.
 */
import { InputError } from '../../core/http.js';
import type { CheckStateItem, Checkpoint, HealthMessage, Intervals } from '../observations.js';
import { CONSISTENCY_MODELS, HEALTH_VALUES, type ConsistencyModel, type Health } from '../protocol.js';

/** Label values are bounded in length; see the README on cardinality. */
export const MAX_URN_LENGTH = 512;
export const MAX_SUB_STREAM_ID_LENGTH = 256;
const URN = /^urn:health:[^:]+:./;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAbsent = (v: unknown) => v === undefined || v === null;

function reject(path: string, problem: string): never {
  throw new InputError(400, 'invalid_payload', `${path}: ${problem}`);
}

const HEALTH_BY_NAME = new Map<string, Health>(HEALTH_VALUES.map((h) => [h.toLowerCase(), h]));

function wholeNumber(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) reject(path, `expected a whole number >= ${min}, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

function objectAt(v: unknown, path: string): Json {
  if (!isObject(v)) reject(path, `expected an object, got ${JSON.stringify(v) ?? 'nothing'}`);
  return v;
}

/** `start_snapshot` or `expiry`. */
function intervals(v: unknown, path: string, expiryRequired: boolean): Intervals {
  const o = objectAt(v, path);
  const repeatMs = wholeNumber(o.repeat_interval_s, `${path}.repeat_interval_s`, 1) * 1000;
  if (isAbsent(o.expiry_interval_s)) {
    if (expiryRequired) reject(`${path}.expiry_interval_s`, 'required when stream.sub_stream_id is set (expiry cannot be disabled for a sub stream)');
    return { repeatMs };
  }
  const expiryMs = wholeNumber(o.expiry_interval_s, `${path}.expiry_interval_s`, expiryRequired ? 1 : 0) * 1000;
  return { repeatMs, expiryMs };
}

function checkpoint(v: unknown, path: string): Checkpoint {
  const o = objectAt(v, path);
  const offset = wholeNumber(o.offset, `${path}.offset`, 0);
  return isAbsent(o.batch_index) ? { offset } : { offset, batchIndex: wholeNumber(o.batch_index, `${path}.batch_index`, 0) };
}

function requiredText(item: Json, field: string): string | undefined {
  const v = item[field];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** One check state, as the receiver's default transformation reads it. */
export function readCheckState(item: unknown, model: ConsistencyModel): CheckStateItem {
  if (!isObject(item)) return { op: 'invalid', problem: 'a check state must be an object' };
  const id = requiredText(item, 'checkStateId');
  if (id === undefined) return { op: 'invalid', problem: "Missing required field 'checkStateId'" };
  if (model === 'TRANSACTIONAL_INCREMENTS' && !isAbsent(item.delete)) {
    if (typeof item.delete !== 'boolean') return { op: 'invalid', problem: "Field 'delete' must be true or false" };
    // A delete wins even if the create fields are present too.
    if (item.delete) return { op: 'delete', id };
  }
  for (const field of ['name', 'topologyElementIdentifier']) {
    if (requiredText(item, field) === undefined) return { op: 'invalid', problem: `Missing required field '${field}'` };
  }
  if (!isAbsent(item.message) && typeof item.message !== 'string') return { op: 'invalid', problem: "Field 'message' must be a string" };
  const health = typeof item.health === 'string' ? HEALTH_BY_NAME.get(item.health.toLowerCase()) : undefined;
  if (!health) {
    return { op: 'invalid', problem: item.health === undefined ? "Missing required field 'health'" : "Field 'health' must be Clear, Deviating or Critical" };
  }
  return { op: 'upsert', id, health };
}

function healthItem(v: unknown, path: string, at: number): HealthMessage {
  const o = objectAt(v, path);
  const model = o.consistency_model as ConsistencyModel;
  if (!CONSISTENCY_MODELS.includes(model)) {
    reject(`${path}.consistency_model`, `expected one of ${CONSISTENCY_MODELS.join(', ')}, got ${JSON.stringify(o.consistency_model) ?? 'nothing'}`);
  }

  const stream = objectAt(o.stream, `${path}.stream`);
  const urn = stream.urn;
  if (typeof urn !== 'string') reject(`${path}.stream.urn`, 'expected a string');
  if (!URN.test(urn) || urn.length > MAX_URN_LENGTH) {
    reject(`${path}.stream.urn`, `expected urn:health:<sourceId>:<streamId> of at most ${MAX_URN_LENGTH} characters, got ${JSON.stringify(urn.slice(0, 80))}`);
  }
  const subStreamId = stream.sub_stream_id ?? '';
  if (typeof subStreamId !== 'string' || subStreamId.length > MAX_SUB_STREAM_ID_LENGTH) {
    reject(`${path}.stream.sub_stream_id`, `expected a string of at most ${MAX_SUB_STREAM_ID_LENGTH} characters`);
  }

  if (!isAbsent(o.check_states) && !Array.isArray(o.check_states)) reject(`${path}.check_states`, 'expected an array');
  const checkStates = ((o.check_states as unknown[] | undefined) ?? []).map((item) => readCheckState(item, model));
  const message: HealthMessage = { kind: 'health', at, urn, subStreamId, model, stopSnapshot: false, checkStates };

  switch (model) {
    case 'REPEAT_SNAPSHOTS':
      if (!isAbsent(o.start_snapshot)) message.startSnapshot = intervals(o.start_snapshot, `${path}.start_snapshot`, subStreamId !== '');
      if (!isAbsent(o.stop_snapshot)) {
        objectAt(o.stop_snapshot, `${path}.stop_snapshot`);
        message.stopSnapshot = true;
      }
      break;
    case 'REPEAT_STATES':
      if (!isAbsent(o.expiry)) message.expiry = intervals(o.expiry, `${path}.expiry`, false);
      break;
    case 'TRANSACTIONAL_INCREMENTS': {
      if (isAbsent(o.increment)) reject(`${path}.increment`, 'required on every TRANSACTIONAL_INCREMENTS message');
      const increment = objectAt(o.increment, `${path}.increment`);
      const previous = increment.previous_checkpoint;
      // May be absent or empty on the first message of a sub stream.
      const hasPrevious = !isAbsent(previous) && !(isObject(previous) && Object.keys(previous).length === 0);
      message.increment = {
        checkpoint: checkpoint(increment.checkpoint, `${path}.increment.checkpoint`),
        previous: hasPrevious ? checkpoint(previous, `${path}.increment.previous_checkpoint`) : undefined,
      };
      break;
    }
  }
  return message;
}

/** Validates the whole body; throws an InputError naming the first bad field, else returns every health message. */
export function readIntakePayload(body: unknown, at: number): HealthMessage[] {
  const payload = objectAt(body, '(body)');
  if (typeof payload.collection_timestamp !== 'number' || !Number.isFinite(payload.collection_timestamp)) {
    reject('collection_timestamp', 'expected a number (Unix seconds)');
  }
  if (typeof payload.internalHostname !== 'string') reject('internalHostname', 'expected a string (the sending host)');
  if (!isAbsent(payload.events) && !isObject(payload.events)) reject('events', 'expected an object');
  for (const field of ['metrics', 'service_checks', 'topologies']) {
    if (!isAbsent(payload[field]) && !Array.isArray(payload[field])) reject(field, 'expected an array');
  }
  // A payload without health (topology only, say) is accepted: in tee mode it still goes upstream.
  if (isAbsent(payload.health)) return [];
  if (!Array.isArray(payload.health)) reject('health', 'expected an array');
  return payload.health.map((item, i) => healthItem(item, `health[${i}]`, at));
}
