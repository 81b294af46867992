/**
 * TRANSACTIONAL_INCREMENTS: no periodicity and no expiry; every message is an
 * increment whose `previous_checkpoint` must be the last checkpoint seen, and
 * deletes are explicit.
 */
import type { Checkpoint, HealthMessage } from '../observations.js';
import type { SubStream } from '../state.js';

/** An absent batch index covers the whole offset, so it sorts after any index. */
const batch = (c: Checkpoint) => c.batchIndex ?? Number.MAX_SAFE_INTEGER;

export function compareCheckpoints(a: Checkpoint, b: Checkpoint): number {
  return a.offset !== b.offset ? a.offset - b.offset : batch(a) - batch(b);
}

const sameCheckpoint = (a: Checkpoint, b: Checkpoint) => a.offset === b.offset && a.batchIndex === b.batchIndex;

export function applyTransactionalIncrements(sub: SubStream, msg: HealthMessage): void {
  const { at } = msg;
  const { checkpoint, previous } = msg.increment!;
  // The first increment of a sub stream sets it up; it may have no previous checkpoint.
  sub.setUp(at);
  const last = sub.record.checkpoint;
  if (last) {
    if (compareCheckpoints(checkpoint, last) <= 0) {
      // Already received (at-least-once delivery): not applied again.
      sub.raise('SubStreamOutdatedCheckpoint', at);
      return;
    }
    // Unverifiable or broken chain: the increment is still newer data, so it applies.
    if (!previous) sub.raise('SubStreamMissingCheckpoint', at);
    else if (!sameCheckpoint(previous, last)) sub.raise('SubStreamInvalidCheckpoint', at);
  }
  sub.clear('SubStreamOutdatedCheckpoint');
  sub.record.lastDataAt = sub.record.lastCompleteAt = at;

  let failed = false;
  for (const item of msg.checkStates) {
    if (item.op === 'invalid') failed = true;
    else if (item.op === 'delete') {
      // A create our limit refused is not unknown to the source: its delete is no error.
      if (!sub.deleteState(item.id) && !sub.forgetRefused(item.id)) sub.raise('SubStreamUnknownCheckState', at);
    } else if (sub.putState(item.id, item.health, at)) sub.forgetRefused(item.id);
    else sub.rememberRefused(item.id);
  }
  if (failed) sub.raise('SubStreamTransformerError', at);
  else sub.clear('SubStreamTransformerError');
  sub.record.checkpoint = checkpoint;
}
