import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { tempDir } from '../../../test/support/exporter.js';
import { TeeForwarder } from './forwarder.js';
import { Spool } from './spool.js';

/** An upstream whose intake redirects to a page that answers any GET with 200, as an SSO login or an http → https hop would. */
async function redirectingUpstream(status: number) {
  const seen: Array<{ method: string; path: string; bytes: number }> = [];
  let notify = () => {};
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const path = request.url ?? '';
      seen.push({ method: request.method ?? '', path, bytes: Buffer.concat(chunks).length });
      if (path.startsWith('/intake')) response.writeHead(status, { location: '/login' }).end();
      else response.writeHead(200, { 'content-type': 'text/html' }).end('<html>sign in</html>');
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/intake`,
    seen,
    until: (check: () => boolean) =>
      new Promise<void>((resolve) => {
        notify = () => check() && resolve();
        notify();
      }),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('TeeForwarder', () => {
  it.each([301, 302, 303, 307, 308])('does not follow a %i: the payload stays spooled, the failure is counted and the Location logged', async (status) => {
    const upstream = await redirectingUpstream(status);
    const spool = new Spool(join(tempDir(), 'tee.sqlite'), 1 << 20);
    spool.append(Buffer.from('{"collection_timestamp":1,"internalHostname":"h"}'), 1000);
    const logged: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
    const forwarder = new TeeForwarder({ spool, url: upstream.url, timeoutMs: 5000, backoffInitialMs: 1, backoffMaxMs: 5, clock: new ManualClock(), log });
    forwarder.start();
    await upstream.until(() => upstream.seen.length >= 3);
    await forwarder.stop();
    await upstream.close();

    expect(upstream.seen.every((r) => r.method === 'POST' && r.path === '/intake')).toBe(true);
    expect(spool.depth).toBe(1);
    expect(forwarder.forwarded).toBe(0);
    // The third request only went out after the first two were counted.
    expect(forwarder.failures.get('redirect')).toBeGreaterThanOrEqual(2);
    expect(logged.find((l) => l.status === status)).toMatchObject({ location: '/login' });
    spool.close();
  });
});
