/**
 * The event API, for rollout tooling to report states only a control plane
 * knows (Pending, Incompatible) and any other: `POST /api/v1/collectors/events`
 * with a JSON array of {collector_id, state, reason?, time?}. A batch is
 * validated whole and applied whole, or refused whole. `DELETE
 * /api/v1/collectors/:id` forgets a decommissioned collector.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { InputError, requireBearerToken } from '../../core/http.js';
import type { CollectorObservation } from '../observations.js';
import { parseState, STATES } from '../states.js';

export interface EventsOptions {
  token: string | undefined;
  clock: Clock;
  ingest: (obs: CollectorObservation[]) => Promise<void>;
}

const MAX_ID_LENGTH = 256;
const MAX_REASON_LENGTH = 1024;

function parseTime(value: unknown, where: string, now: number): number {
  if (value === undefined) return now;
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new InputError(400, 'invalid_event', `${where}.time: expected an RFC 3339 time or Unix seconds, got ${JSON.stringify(value)}`);
  }
  // A clock ahead of ours must not put a state's start in the future.
  return Math.min(ms, now);
}

/** Validates a whole batch; throws an InputError naming the first bad field. */
export function parseEvents(body: unknown, now: number): CollectorObservation[] {
  if (!Array.isArray(body)) throw new InputError(400, 'invalid_event', 'the body must be a JSON array of {collector_id, state, reason?, time?}');
  const parsed = body.map((item: unknown, i): CollectorObservation & { kind: 'reported_state' } => {
    const where = `events[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new InputError(400, 'invalid_event', `${where}: expected an object`);
    const e = item as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!['collector_id', 'state', 'reason', 'time'].includes(key)) throw new InputError(400, 'invalid_event', `${where}.${key}: unknown field`);
    }
    if (typeof e.collector_id !== 'string' || e.collector_id === '' || e.collector_id.length > MAX_ID_LENGTH) {
      throw new InputError(400, 'invalid_event', `${where}.collector_id: expected a non-empty string of at most ${MAX_ID_LENGTH} characters`);
    }
    const state = typeof e.state === 'string' ? parseState(e.state) : undefined;
    if (!state) throw new InputError(400, 'invalid_event', `${where}.state: expected one of ${STATES.join(', ')}, got ${JSON.stringify(e.state)}`);
    if (e.reason !== undefined && (typeof e.reason !== 'string' || e.reason.length > MAX_REASON_LENGTH)) {
      throw new InputError(400, 'invalid_event', `${where}.reason: expected a string of at most ${MAX_REASON_LENGTH} characters`);
    }
    const since = parseTime(e.time, where, now);
    return { kind: 'reported_state', at: now, source: 'events', collectorId: e.collector_id, state, since, reason: e.reason as string | undefined };
  });
  // Apply in the order things happened.
  return parsed.sort((a, b) => (a.since ?? 0) - (b.since ?? 0));
}

export function registerEventRoutes(app: FastifyInstance, opts: EventsOptions): void {
  app.post('/api/v1/collectors/events', async (request, reply) => {
    requireBearerToken(request, opts.token);
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      throw new InputError(415, 'unsupported_media_type', 'send the events as Content-Type: application/json');
    }
    const now = opts.clock.now();
    const observations = parseEvents(request.body, now);
    await opts.ingest([...observations, { kind: 'source_status', source: 'events', up: true, delivered: true, at: now }]);
    return reply.code(202).send({ accepted: observations.length });
  });
  app.delete<{ Params: { id: string } }>('/api/v1/collectors/:id', async (request, reply) => {
    requireBearerToken(request, opts.token);
    await opts.ingest([{ kind: 'forget', at: opts.clock.now(), collectorId: request.params.id }]);
    return reply.code(204).send();
  });
}
