/**
 * Butler log lines POSTed to the exporter, for setups where a log shipper
 * forwards them: `POST /api/v1/butler/logs?instance=<host:port>` with a
 * text/plain body of lines. A batch is read whole and applied whole, or
 * refused whole with the first bad line named.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { InputError, requireBearerToken } from '../../core/http.js';
import type { ButlerObservation } from '../observations.js';
import { LogLineError, logObservation, parseLogLine } from './log-line.js';

export const LOG_INTAKE_PATH = '/api/v1/butler/logs';

export interface LogIntakeOptions {
  token: string | undefined;
  clock: Clock;
  /** Whether discovery lists this target now. */
  knows: (instance: string) => boolean;
  /** Applies and commits; resolves to how many observations named something known. */
  ingest: (observations: ButlerObservation[]) => Promise<number>;
}

/** The observations of a batch; throws an InputError naming the first line that is not Butler's. */
export function parseLogBatch(body: string, instance: string, now: number): ButlerObservation[] {
  const observations: ButlerObservation[] = [];
  body.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const fact = parseLogLine(line);
      if (fact) observations.push(logObservation(fact, instance, now));
    } catch (err) {
      if (!(err instanceof LogLineError)) throw err;
      throw new InputError(400, 'invalid_log_line', `line ${i + 1}: ${err.message}; nothing in this batch was applied`);
    }
  });
  return observations;
}

export function registerLogIntake(app: FastifyInstance, opts: LogIntakeOptions): void {
  app.post<{ Querystring: { instance?: string } }>(LOG_INTAKE_PATH, async (request, reply) => {
    requireBearerToken(request, opts.token);
    if (!/^text\/plain\b/i.test(request.headers['content-type'] ?? '')) {
      throw new InputError(415, 'unsupported_media_type', 'send Butler log lines as Content-Type: text/plain, one per line');
    }
    const instance = request.query.instance;
    if (!instance) throw new InputError(400, 'missing_instance', 'name the Butler the lines come from: ?instance=<host:port>, as in the targets');
    if (!opts.knows(instance)) throw new InputError(404, 'unknown_instance', `no Butler target ${JSON.stringify(instance)}; lines are only taken for targets in the static list or file_sd`);
    const observations = parseLogBatch(typeof request.body === 'string' ? request.body : '', instance, opts.clock.now());
    const applied = await opts.ingest(observations);
    // `codes`: lines that carried a reload or fetch code; `applied`: those naming a manager or file known here.
    return reply.code(202).send({ codes: observations.length, applied });
  });
}
