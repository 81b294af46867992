/**
 * The OTLP/HTTP metrics receiver: `POST /v1/metrics`, protobuf
 * (application/x-protobuf) or JSON (application/json), gzip or not. Connectors
 * send here directly, or the Collector forwards their metrics; telemetry of
 * other services in the same request is ignored. The answer is an
 * ExportMetricsServiceResponse in the request's encoding, empty unless some
 * resources were refused (partial_success, with their data points). With a
 * token configured, requests need `Authorization: Bearer <token>`.
 */
import type { FastifyInstance } from 'fastify';
import { InputError, requireBearerToken } from '../../../core/http.js';
import type { Logger } from '../../../core/log.js';
import { ProtoWriter } from '../../../core/protobuf.js';
import type { Rejections } from '../../../core/self-metrics.js';
import type { TelemetryResult } from '../../model.js';
import type { Telemetry } from '../../observations.js';
import { OtlpFormatError, type DecodedResource } from './decoded.js';
import { decodeJsonRequest } from './json.js';
import { decodeProtobufRequest } from './protobuf.js';
import { isConnectorMetric, toTelemetry } from './telemetry.js';

export interface OtlpReceiverOptions {
  bodyLimitBytes: number;
  /** formal.* data points taken from one request at most. */
  maxDataPoints: number;
  /** Bearer token required when set. */
  token: string | undefined;
  rejections: Rejections;
  log: Logger;
  /** Applies the telemetry and resolves, once it is durable, with a result for each. */
  ingest: (telemetry: Telemetry[]) => Promise<TelemetryResult[]>;
}

type Encoding = 'protobuf' | 'json';

const CONTENT_TYPES: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === CONTENT_TYPES.protobuf) return 'protobuf';
  if (media === CONTENT_TYPES.json) return 'json';
  return undefined;
}

function decode(encoding: Encoding, body: Buffer): DecodedResource[] {
  try {
    if (encoding === 'protobuf') return decodeProtobufRequest(body, isConnectorMetric);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new InputError(400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
    }
    return decodeJsonRequest(parsed, isConnectorMetric);
  } catch (err) {
    if (err instanceof OtlpFormatError) throw new InputError(400, 'invalid_otlp', err.message);
    throw err;
  }
}

/** ExportMetricsServiceResponse: partial_success (1) = {rejected_data_points (1), error_message (2)}. */
function encodeResponse(encoding: Encoding, rejectedDataPoints: number, errorMessage: string): Buffer | string {
  if (encoding === 'json') {
    return JSON.stringify(rejectedDataPoints > 0 ? { partialSuccess: { rejectedDataPoints: String(rejectedDataPoints), errorMessage } } : {});
  }
  if (rejectedDataPoints === 0) return Buffer.alloc(0);
  return Buffer.from(new ProtoWriter().message(1, new ProtoWriter().varint(1, rejectedDataPoints).string(2, errorMessage)).finish());
}

export function registerOtlpReceiver(app: FastifyInstance, opts: OtlpReceiverOptions): void {
  void app.register(async (scope) => {
    // Every body arrives as bytes: the route itself says which types it takes, and how to fix a wrong one.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.bodyLimitBytes }, (_request, body, done) => done(null, body));

    // Before the body is read: an unauthenticated sender gets nothing decompressed or decoded.
    scope.addHook('onRequest', async (request) => requireBearerToken(request, opts.token));

    scope.post('/v1/metrics', { bodyLimit: opts.bodyLimitBytes }, async (request, reply) => {
      const contentType = request.headers['content-type'];
      const encoding = encodingOf(contentType);
      if (!encoding) {
        throw new InputError(415, 'unsupported_media_type', `Content-Type ${JSON.stringify(contentType ?? '')} is not OTLP/HTTP; send application/x-protobuf or application/json`);
      }
      const resources = decode(encoding, (request.body as Buffer | undefined) ?? Buffer.alloc(0));

      const accepted: Telemetry[] = [];
      let rejected = 0;
      let taken = 0;
      const problems = new Set<string>();
      for (const resource of resources) {
        // Bounds the work one request makes, however small it was compressed.
        const points = resource.metrics.reduce((n, m) => n + m.points.length, 0);
        if (taken + points > opts.maxDataPoints) {
          opts.rejections.count('too_many_data_points');
          rejected += points;
          problems.add(`more than ${opts.maxDataPoints} formal.* data points in one request (otlp.max_data_points); send smaller batches`);
          continue;
        }
        taken += points;
        const t = toTelemetry(resource);
        if (t === undefined) continue;
        if ('reason' in t) {
          opts.rejections.count(t.reason);
          rejected += t.dataPoints;
          problems.add(t.message);
        } else {
          accepted.push(t);
        }
      }
      const results = await opts.ingest(accepted);
      results.forEach((result, i) => {
        if (result === 'accepted') return;
        opts.rejections.count(result);
        rejected += accepted[i]!.dataPoints;
        problems.add('too many instances known only from OTLP (otlp.max_instances); new ones are refused');
      });
      if (rejected > 0) opts.log.warn({ rejected, problems: [...problems] }, 'OTLP data points refused');
      return reply.code(200).type(CONTENT_TYPES[encoding]).send(encodeResponse(encoding, rejected, [...problems].join('; ')));
    });
  });
}
