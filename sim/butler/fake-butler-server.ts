/**
 * A FAKE Butler /metrics endpoint (Butler itself cannot run here): a real
 * HTTP server that answers GET /metrics (or the path given) with an
 * exposition — fixed, or read from a simulated Butler at each request — or
 * with an error status, or with nothing at all. The simulator serves each
 * simulated Butler with one; the exporter's tests set what it answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An exposition, or where to read the current one at each scrape. */
export type ExpositionSource = string | (() => string);

type Behaviour = { kind: 'serve'; body: ExpositionSource; status: number } | { kind: 'hang' };

export interface FakeButlerServer {
  /** host:port, as a static target or file_sd entry names it. */
  instance: string;
  /** The port it listens on (the one asked for, or the one the OS picked for 0). */
  port: number;
  /** Requests to its metrics path so far. */
  readonly scrapes: number;
  /** Answer with this exposition (200) from now on. */
  serve(exposition: ExpositionSource): void;
  /** Answer with this status and body from now on. */
  fail(status: number, body: string): void;
  /** Accept requests and never answer them. */
  hang(): void;
  close(): Promise<void>;
}

export interface FakeButlerListen {
  host?: string;
  /** 0 (the default): a port the OS picks. */
  port?: number;
}

export async function startFakeButler(exposition: ExpositionSource = '', path = '/metrics', listen: FakeButlerListen = {}): Promise<FakeButlerServer> {
  let behaviour: Behaviour = { kind: 'serve', body: exposition, status: 200 };
  let scrapes = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url !== path) {
      response.writeHead(404).end('404 page not found\n');
      return;
    }
    scrapes++;
    if (behaviour.kind === 'hang') return;
    const body = typeof behaviour.body === 'function' ? behaviour.body() : behaviour.body;
    response.writeHead(behaviour.status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
  });
  const host = listen.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    instance: `${host}:${port}`,
    port,
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
