/**
 * A FAKE Butler /metrics endpoint for tests: a real HTTP server on loopback
 * that answers GET /metrics (or the path given) with whatever the test set (an exposition, an
 * error status, nothing at all). Butler itself cannot run here.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Behaviour = { kind: 'serve'; body: string; status: number } | { kind: 'hang' };

export interface FakeButlerServer {
  /** host:port, as a static target or file_sd entry names it. */
  instance: string;
  /** Requests to its metrics path so far. */
  readonly scrapes: number;
  /** Answer with this exposition (200) from now on. */
  serve(exposition: string): void;
  /** Answer with this status and body from now on. */
  fail(status: number, body: string): void;
  /** Accept requests and never answer them. */
  hang(): void;
  close(): Promise<void>;
}

export async function startFakeButler(exposition = '', path = '/metrics'): Promise<FakeButlerServer> {
  let behaviour: Behaviour = { kind: 'serve', body: exposition, status: 200 };
  let scrapes = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url !== path) {
      response.writeHead(404).end('404 page not found\n');
      return;
    }
    scrapes++;
    if (behaviour.kind === 'hang') return;
    response.writeHead(behaviour.status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(behaviour.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    instance: `127.0.0.1:${port}`,
    get scrapes() {
      return scrapes;
    },
    serve: (body) => void (behaviour = { kind: 'serve', body, status: 200 }),
    fail: (status, body) => void (behaviour = { kind: 'serve', body, status }),
    hang: () => void (behaviour = { kind: 'hang' }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
