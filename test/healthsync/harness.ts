/** The model fed through the real payload reader, on a manual clock: for the model's unit tests. */
import { ManualClock } from '../../exporters/core/clock.js';
import { HealthModel, type HealthModelOptions } from '../../exporters/healthsync/model.js';
import type { ErrorCode, Health } from '../../exporters/healthsync/protocol.js';
import { readIntakePayload } from '../../exporters/healthsync/sources/payload.js';
import { envelope, EXAMPLE_URN } from './payloads.js';

export const DEFAULTS: HealthModelOptions = {
  lateTolerance: 2,
  forgetUnknownAfterMs: 3600_000,
  maxStreams: 100,
  maxSubStreams: 5000,
  maxCheckStates: 500_000,
};

export class Harness {
  readonly clock: ManualClock;
  readonly model: HealthModel;

  constructor(opts: Partial<HealthModelOptions> = {}, clock = new ManualClock()) {
    this.clock = clock;
    this.model = new HealthModel({ ...DEFAULTS, ...opts }, clock.now());
  }

  /** Sends health items in one payload, as the intake would. */
  send(...items: Record<string, unknown>[]): void {
    this.sendPayload(envelope(items));
  }

  sendPayload(payload: unknown): void {
    for (const message of readIntakePayload(payload, this.clock.now())) this.model.apply(message);
  }

  advance(seconds: number): void {
    this.clock.advance(seconds * 1000);
    this.model.tick(this.clock.now());
  }

  errors(sub?: string, urn = EXAMPLE_URN): ErrorCode[] {
    return Object.keys(this.model.subStream(urn, sub)?.record.errors ?? {}).sort() as ErrorCode[];
  }

  /** Applied check states: id → health. */
  states(sub?: string, urn = EXAMPLE_URN): Record<string, Health> {
    const s = this.model.subStream(urn, sub);
    return Object.fromEntries([...(s?.states ?? [])].map(([id, r]) => [id, r.h]).sort());
  }

  /** How often each error occurred on the stream. */
  counts(urn = EXAMPLE_URN): Partial<Record<ErrorCode, number>> {
    return this.model.stream(urn)?.record.errors ?? {};
  }

  clearErrors(sub?: string, urn = EXAMPLE_URN): boolean {
    return this.model.apply({ kind: 'clear_errors', at: this.clock.now(), urn, subStreamId: sub }).found;
  }
}
