/**
 * The HTTP server every exporter runs: /metrics, /healthz, /readyz, and one
 * error path for bad input, which answers with a 4xx a person can act on and
 * counts the reason.
 */
import { timingSafeEqual } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from './log.js';
import type { Clock } from './clock.js';
import type { TextExposition } from './exposition.js';
import type { Rejections } from './self-metrics.js';
import { TEXT_CONTENT_TYPE } from './text-format.js';

/** Refused input: a status, a bounded reason (counted) and a message for a person. */
export class InputError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Refuses a request without `Authorization: Bearer <token>` when a token is configured. */
export function requireBearerToken(request: FastifyRequest, token: string | undefined): void {
  if (!token) return;
  const given = Buffer.from(request.headers.authorization ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new InputError(401, 'unauthorized', 'a valid "Authorization: Bearer <token>" header is required');
  }
}

const FASTIFY_REASONS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large', 'the request body is over the configured limit'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'this endpoint does not accept that Content-Type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_content_length', 'Content-Length does not match the body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'the body is empty; a JSON document was expected'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'the body is not valid JSON'],
};

function classify(err: FastifyError | InputError | Error): { status: number; reason: string; message: string } {
  if (err instanceof InputError) return { status: err.status, reason: err.reason, message: err.message };
  const code = (err as FastifyError).code;
  const known = code ? FASTIFY_REASONS[code] : undefined;
  if (known) {
    return { status: known[0], reason: known[1], message: known[2] };
  }
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return { status: 400, reason: 'invalid_gzip', message: `the gzip body cannot be decompressed: ${err.message}` };
  if (err instanceof SyntaxError) return { status: 400, reason: 'invalid_json', message: `the body is not valid JSON: ${err.message}` };
  if ((err as FastifyError).validation) return { status: 400, reason: 'invalid_request', message: err.message };
  const status = (err as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) return { status, reason: 'bad_request', message: err.message };
  return { status: 500, reason: 'internal', message: 'internal error; see the exporter log' };
}

export interface FastifyOptions {
  readonly log: Logger;
  readonly rejections: Rejections;
  /** Applies to the decompressed body. */
  readonly bodyLimitBytes: number;
  /** Named in the 415 message, e.g. "application/x-protobuf". */
  readonly acceptedTypes?: string;
}

/**
 * A fastify instance with the shared error path, and gzip request bodies
 * accepted (the body limit counts decompressed bytes).
 */
export function createFastify(opts: FastifyOptions): FastifyInstance {
  const app = Fastify({ loggerInstance: opts.log, disableRequestLogging: true, bodyLimit: opts.bodyLimitBytes, forceCloseConnections: true });
  app.setErrorHandler((err, request, reply) => {
    let { status, reason, message } = classify(err);
    if (reason === 'unsupported_media_type' && !(err instanceof InputError)) {
      message = `Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted here${opts.acceptedTypes ? `; send ${opts.acceptedTypes}` : ''}`;
    }
    if (status >= 500) request.log.error({ err }, 'request failed');
    else opts.rejections.count(reason);
    void reply.code(status).type('application/json').send({ error: reason, message });
  });
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity') return payload;
    if (encoding !== 'gzip') throw new InputError(415, 'unsupported_content_encoding', `Content-Encoding ${encoding} is not supported; send gzip or identity`);
    const gunzip = createGunzip();
    let encoded = 0;
    // fastify compares Content-Length with the bytes received, not the bytes inflated.
    payload.on('data', (chunk: Buffer) => {
      encoded += chunk.length;
      (gunzip as unknown as { receivedEncodedLength: number }).receivedEncodedLength = encoded;
    });
    payload.on('error', (err) => gunzip.destroy(err));
    return payload.pipe(gunzip);
  });
  return app;
}

export interface HttpServerOptions extends FastifyOptions {
  readonly exposition: () => TextExposition;
  readonly clock: Clock;
  readonly isReady: () => boolean;
}

/** An exporter's main server: the shared error path plus /metrics, /healthz and /readyz. */
export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  const app = createFastify(opts);

  // Process and runtime metrics come from prom-client, as every Node exporter's do.
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry });
  // Gauges named *_total break the naming rules `promtool check metrics` enforces;
  // the same counts stay available without the suffix (nodejs_active_handles…).
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    processRegistry.removeSingleMetric(name);
  }

  app.get('/metrics', async (_request, reply) => {
    const body = Buffer.concat([opts.exposition().render(opts.clock.now()), Buffer.from(await processRegistry.metrics())]);
    return reply.type(TEXT_CONTENT_TYPE).send(body);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    opts.isReady() ? { status: 'ready' } : reply.code(503).send({ status: 'starting' }),
  );
  return app;
}
