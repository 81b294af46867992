import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/http.js';
import {
  checkState,
  envelope,
  EXAMPLE_REPEAT_SNAPSHOTS,
  EXAMPLE_REPEAT_STATES,
  EXAMPLE_TRANSACTIONAL_INCREMENTS,
  increment,
  snapshot,
  states,
} from '../../../test/healthsync/payloads.js';
import { readCheckState, readIntakePayload } from './payload.js';

const AT = 1_700_000_000_000;

function refusal(body: unknown): string {
  try {
    readIntakePayload(body, AT);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).status).toBe(400);
    return (err as InputError).message;
  }
  throw new Error('the payload was accepted');
}

describe('readIntakePayload', () => {
  it('reads the three documented examples', () => {
    const [rs] = readIntakePayload(EXAMPLE_REPEAT_SNAPSHOTS, AT);
    expect(rs).toMatchObject({
      at: AT,
      urn: 'urn:health:sourceId:streamId',
      subStreamId: 'agent-1',
      model: 'REPEAT_SNAPSHOTS',
      startSnapshot: { repeatMs: 300_000, expiryMs: 1_200_000 },
      stopSnapshot: true,
      checkStates: [
        { op: 'upsert', id: 'checkStateId1', health: 'DEVIATING' },
        { op: 'upsert', id: 'checkStateId2', health: 'CRITICAL' },
      ],
    });
    const [st] = readIntakePayload(EXAMPLE_REPEAT_STATES, AT);
    expect(st).toMatchObject({ subStreamId: '', model: 'REPEAT_STATES', expiry: { repeatMs: 300_000, expiryMs: 600_000 }, stopSnapshot: false });
    const [ti] = readIntakePayload(EXAMPLE_TRANSACTIONAL_INCREMENTS, AT);
    expect(ti).toMatchObject({
      model: 'TRANSACTIONAL_INCREMENTS',
      increment: { checkpoint: { offset: 5, batchIndex: 102 }, previous: { offset: 5, batchIndex: 100 } },
      checkStates: [{ op: 'upsert', id: 'checkStateId1' }, { op: 'delete', id: 'checkStateId3' }],
    });
  });

  it('reads health values in any case', () => {
    for (const [given, health] of [['clear', 'CLEAR'], ['Deviating', 'DEVIATING'], ['CRITICAL', 'CRITICAL'], ['cRiTiCaL', 'CRITICAL']] as const) {
      expect(readCheckState(checkState('a', given), 'REPEAT_STATES')).toEqual({ op: 'upsert', id: 'a', health });
    }
  });

  it('accepts a payload without health, and an empty previous_checkpoint on a first increment', () => {
    expect(readIntakePayload({ collection_timestamp: 1, internalHostname: 'h', topologies: [{ any: 'thing' }] }, AT)).toEqual([]);
    const body = envelope([{ ...increment({ checkpoint: [1] }), increment: { checkpoint: { offset: 1 }, previous_checkpoint: {} } }]);
    expect(readIntakePayload(body, AT)[0]!.increment).toEqual({ checkpoint: { offset: 1 }, previous: undefined });
  });

  it('refuses the whole payload with a message naming the field', () => {
    const cases: Array<[unknown, string]> = [
      [[], '(body): expected an object'],
      [{ internalHostname: 'h', health: [] }, 'collection_timestamp: expected a number'],
      [{ collection_timestamp: 1, health: [] }, 'internalHostname: expected a string'],
      [{ ...envelope([]), topologies: {} }, 'topologies: expected an array'],
      [{ ...envelope([]), health: {} }, 'health: expected an array'],
      [{ ...envelope([]), health: [snapshot({}), 'nope'] }, 'health[1]: expected an object'],
      [envelope([{ ...states({}), consistency_model: 'REPEAT_EVERYTHING' }]), 'health[0].consistency_model: expected one of REPEAT_SNAPSHOTS, REPEAT_STATES, TRANSACTIONAL_INCREMENTS'],
      [envelope([{ ...states({}), consistency_model: undefined }]), 'health[0].consistency_model: expected one of'],
      [envelope([states({}), states({}), { ...states({}), stream: { urn: 42 } }]), 'health[2].stream.urn: expected a string'],
      [envelope([{ ...states({}), stream: undefined }]), 'health[0].stream: expected an object'],
      [envelope([{ ...states({}), stream: { urn: 'urn:health:nostream' } }]), 'health[0].stream.urn: expected urn:health:<sourceId>:<streamId>'],
      [envelope([{ ...states({}), stream: { urn: `urn:health:a:${'x'.repeat(600)}` } }]), 'health[0].stream.urn: expected urn:health:<sourceId>:<streamId> of at most 512'],
      [envelope([{ ...states({}), stream: { urn: 'urn:health:a:b', sub_stream_id: 7 } }]), 'health[0].stream.sub_stream_id: expected a string'],
      [envelope([{ ...states({}), check_states: { a: 1 } }]), 'health[0].check_states: expected an array'],
      [envelope([{ ...snapshot({}), start_snapshot: { repeat_interval_s: '300' } }]), 'health[0].start_snapshot.repeat_interval_s: expected a whole number >= 1, got "300"'],
      [envelope([{ ...snapshot({}), start_snapshot: { repeat_interval_s: 0 } }]), 'health[0].start_snapshot.repeat_interval_s: expected a whole number >= 1'],
      [envelope([{ ...snapshot({}), start_snapshot: [] }]), 'health[0].start_snapshot: expected an object'],
      [envelope([snapshot({ sub: 'agent-1', start: { repeat: 300 } })]), 'health[0].start_snapshot.expiry_interval_s: required when stream.sub_stream_id is set'],
      [envelope([snapshot({ sub: 'agent-1', start: { repeat: 300, expiry: 0 } })]), 'health[0].start_snapshot.expiry_interval_s: expected a whole number >= 1'],
      [envelope([{ ...snapshot({}), stop_snapshot: true }]), 'health[0].stop_snapshot: expected an object'],
      [envelope([{ ...states({}), expiry: { repeat_interval_s: 60, expiry_interval_s: '600' } }]), 'health[0].expiry.expiry_interval_s: expected a whole number >= 0'],
      [envelope([{ ...increment({ checkpoint: [1] }), increment: undefined }]), 'health[0].increment: required on every TRANSACTIONAL_INCREMENTS message'],
      [envelope([{ ...increment({ checkpoint: [1] }), increment: { previous_checkpoint: { offset: 1 } } }]), 'health[0].increment.checkpoint: expected an object'],
      [envelope([{ ...increment({ checkpoint: [1] }), increment: { checkpoint: { offset: -1 } } }]), 'health[0].increment.checkpoint.offset: expected a whole number >= 0'],
      [envelope([{ ...increment({ checkpoint: [1] }), increment: { checkpoint: { offset: 2, batch_index: 1.5 } } }]), 'health[0].increment.checkpoint.batch_index: expected a whole number >= 0'],
      [envelope([{ ...increment({ checkpoint: [1] }), increment: { checkpoint: { offset: 2 }, previous_checkpoint: { batch_index: 1 } } }]), 'health[0].increment.previous_checkpoint.offset'],
    ];
    for (const [body, message] of cases) expect(refusal(body)).toContain(message);
  });

  it('turns a check state the transformation cannot read into an invalid item, not a refusal', () => {
    const read = (item: unknown, model: 'REPEAT_SNAPSHOTS' | 'TRANSACTIONAL_INCREMENTS' = 'REPEAT_SNAPSHOTS') => readCheckState(item, model);
    const { name: _name, ...nameless } = checkState('a');
    expect(read(nameless)).toEqual({ op: 'invalid', problem: "Missing required field 'name'" });
    expect(read({ ...checkState('a'), topologyElementIdentifier: '' })).toEqual({ op: 'invalid', problem: "Missing required field 'topologyElementIdentifier'" });
    expect(read({ ...checkState('a'), checkStateId: 5 })).toEqual({ op: 'invalid', problem: "Missing required field 'checkStateId'" });
    expect(read({ ...checkState('a'), health: undefined })).toEqual({ op: 'invalid', problem: "Missing required field 'health'" });
    expect(read(checkState('a', 'OK'))).toEqual({ op: 'invalid', problem: "Field 'health' must be Clear, Deviating or Critical" });
    expect(read({ ...checkState('a'), message: 3 })).toEqual({ op: 'invalid', problem: "Field 'message' must be a string" });
    expect(read('a string')).toEqual({ op: 'invalid', problem: 'a check state must be an object' });
    expect(read({ checkStateId: 'a', delete: 'yes' }, 'TRANSACTIONAL_INCREMENTS')).toEqual({ op: 'invalid', problem: "Field 'delete' must be true or false" });
    // `delete` is a Transactional Increments field: elsewhere it deletes nothing.
    expect(read({ checkStateId: 'a', delete: true })).toEqual({ op: 'invalid', problem: "Missing required field 'name'" });
    expect(read({ ...checkState('a'), delete: false }, 'TRANSACTIONAL_INCREMENTS')).toEqual({ op: 'upsert', id: 'a', health: 'CLEAR' });
    const [message] = readIntakePayload(envelope([snapshot({ states: [nameless, checkState('b')] })]), AT);
    expect(message!.checkStates.map((c) => c.op)).toEqual(['invalid', 'upsert']);
  });
});
