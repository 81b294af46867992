/** The receiver's `api_key` query parameter, checked when keys are configured. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { InputError } from '../../core/http.js';

export function checkApiKey(request: FastifyRequest, keys: readonly string[]): void {
  if (keys.length === 0) return;
  const given = (request.query as Record<string, unknown>).api_key;
  const offered = Buffer.from(typeof given === 'string' ? given : '');
  const ok = keys.some((key) => {
    const wanted = Buffer.from(key);
    return wanted.length === offered.length && timingSafeEqual(wanted, offered);
  });
  if (!ok) throw new InputError(401, 'unauthorized', 'a valid api_key query parameter is required (?api_key=<key>)');
}
