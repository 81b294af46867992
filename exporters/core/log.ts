/** One structured logger (pino, as fastify uses) for the whole process. */
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';

export type Logger = FastifyBaseLogger;

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'fleetwatch' } });
}

/** For tests: a logger that says nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });
