/**
 * What an operator does with `sts health clear-error` and `sts health
 * delete`, against fleetwatch's own state:
 *
 *   POST   /api/v1/healthsync/clear-errors?urn=<urn>[&sub_stream_id=<id>]
 *   DELETE /api/v1/healthsync/streams?urn=<urn>
 *
 * Protected by the intake's api_key when keys are configured.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { InputError } from '../../core/http.js';
import type { HealthsyncObservation } from '../observations.js';
import { checkApiKey } from './api-key.js';

export interface OperatorOptions {
  apiKeys: readonly string[];
  clock: Clock;
  /** Applies and persists; `found` is false when the stream or sub stream is unknown. */
  ingest(obs: HealthsyncObservation): Promise<{ found: boolean }>;
}

function queryText(request: FastifyRequest, name: string, required: boolean): string | undefined {
  const v = (request.query as Record<string, unknown>)[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || (required && v === '')) throw new InputError(400, 'invalid_request', `the ${name} query parameter is required, once`);
  return v;
}

export function registerOperatorRoutes(app: FastifyInstance, opts: OperatorOptions): void {
  app.post('/api/v1/healthsync/clear-errors', async (request) => {
    checkApiKey(request, opts.apiKeys);
    const urn = queryText(request, 'urn', true)!;
    const subStreamId = queryText(request, 'sub_stream_id', false);
    const { found } = await opts.ingest({ kind: 'clear_errors', at: opts.clock.now(), urn, subStreamId });
    if (!found) throw new InputError(404, 'unknown_stream', `no stream ${urn}${subStreamId === undefined ? '' : ` with sub stream ${JSON.stringify(subStreamId)}`} is tracked`);
    return { cleared: true };
  });
  app.delete('/api/v1/healthsync/streams', async (request, reply) => {
    checkApiKey(request, opts.apiKeys);
    const urn = queryText(request, 'urn', true)!;
    const { found } = await opts.ingest({ kind: 'delete_stream', at: opts.clock.now(), urn });
    if (!found) throw new InputError(404, 'unknown_stream', `no stream ${urn} is tracked`);
    return reply.code(204).send();
  });
}
