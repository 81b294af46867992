/**
 * The receiver-compatible intake: `POST /stsAgent/intake` and
 * `POST /receiver/stsAgent/intake`, JSON. The routes live in their own
 * fastify scope whose only body parser keeps the raw bytes, so tee mode can
 * forward each payload exactly as received, while the exporter's other
 * routes keep the default JSON parser.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { InputError } from '../../core/http.js';
import type { Logger } from '../../core/log.js';
import type { Rejections } from '../../core/self-metrics.js';
import type { HealthMessage } from '../observations.js';
import { checkApiKey } from './api-key.js';
import { readIntakePayload } from './payload.js';

const INTAKE_PATHS = ['/stsAgent/intake', '/receiver/stsAgent/intake'] as const;

/** What became of an accepted payload. */
export type IntakeOutcome = 'accepted' | 'spool_full';

export interface IntakeOptions {
  apiKeys: readonly string[];
  clock: Clock;
  log: Logger;
  rejections: Rejections;
  /** Applies the messages and, in tee mode, spools the raw body; resolves once durable. */
  accept(messages: HealthMessage[], body: Buffer): Promise<IntakeOutcome>;
}

/** Seconds a sender is asked to wait when the tee spool is full. */
const RETRY_AFTER_S = 30;

export function registerIntakeRoutes(app: FastifyInstance, opts: IntakeOptions): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.addContentTypeParser('*', (request, _payload, done) =>
      done(new InputError(415, 'unsupported_media_type', `Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted; send application/json`)),
    );
    for (const path of INTAKE_PATHS) {
      scope.post(path, async (request, reply) => {
        checkApiKey(request, opts.apiKeys);
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) throw new InputError(400, 'invalid_json', 'the body is empty; send the intake JSON object');
        let document: unknown;
        try {
          document = JSON.parse(body.toString('utf8'));
        } catch (err) {
          throw new InputError(400, 'invalid_json', `the body is not valid JSON: ${(err as Error).message}`);
        }
        const messages = readIntakePayload(document, opts.clock.now());
        logTransformerProblems(opts.log, messages);
        if ((await opts.accept(messages, body)) === 'spool_full') {
          opts.rejections.count('tee_spool_full');
          return reply
            .code(503)
            .header('retry-after', String(RETRY_AFTER_S))
            .send({ error: 'tee_spool_full', message: 'the tee spool is full because the upstream receiver is not taking payloads; retry later' });
        }
        return reply.code(200).send({ accepted: messages.length });
      });
    }
  });
}

/** The receiver shows a transformer error's text; we log it (it never becomes a label). */
function logTransformerProblems(log: Logger, messages: HealthMessage[]): void {
  for (const m of messages) {
    const problems = m.checkStates.flatMap((c) => (c.op === 'invalid' ? [c.problem] : []));
    if (problems.length === 0) continue;
    log.info({ urn: m.urn, subStreamId: m.subStreamId, invalid: problems.length, problem: problems[0] }, 'check states skipped (SubStreamTransformerError)');
  }
}
