/**
 * A FAKE of the StackState receiver's intake (the receiver cannot run here),
 * for the healthsync exporter's tee: a real HTTP server that takes
 * `POST /receiver/stsAgent/intake` (and the older `/stsAgent/intake`), as
 * reference Topic A.1 documents it, and answers as told — 200 when up, a
 * status chosen per body (503 while failing, 413 over a body limit), or no
 * answer at all (`'hang'`). Any other path is a 404, as a wrong `tee.url`
 * would get. Nothing is listening before `listen` or after `close`, so the
 * exporter sees connection refused. The simulator and the tee tests use it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const INTAKE_PATHS = new Set(['/receiver/stsAgent/intake', '/stsAgent/intake']);

export interface ReceivedRequest {
  url: string;
  contentType: string | undefined;
  body: Buffer;
  /** 0 for a request left hanging. */
  status: number;
}

export class FakeReceiver {
  /** How to answer a body: a status code, or 'hang' to hold the request open until close(). */
  answer: (body: Buffer) => number | 'hang' = () => 200;
  /** The newest requests, at most `keep` of them (a long-running simulator keeps none). */
  readonly requests: ReceivedRequest[] = [];
  /** Every request answered, by status (0: left hanging). */
  readonly statusCounts = new Map<number, number>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    private readonly keep: number,
  ) {}

  /** Listens on `host` (port 0: any free port), keeping the newest `keep` requests. */
  static listen(port = 0, host = '127.0.0.1', keep = Number.POSITIVE_INFINITY): Promise<FakeReceiver> {
    return new Promise((resolve, reject) => {
      let receiver: FakeReceiver;
      const server = createServer((request, response) => void receiver.serve(request, response));
      server.once('error', reject);
      server.listen(port, host, () => {
        receiver = new FakeReceiver(server, host, (server.address() as AddressInfo).port, keep);
        resolve(receiver);
      });
    });
  }

  /** A loopback port nothing listens on (until someone listens on it). */
  static async freePort(): Promise<number> {
    const probe = await FakeReceiver.listen();
    await probe.close();
    return probe.port;
  }

  /** The intake URL on loopback. */
  url(path = '/receiver/stsAgent/intake'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Bodies answered 2xx, in arrival order (of those kept). */
  get accepted(): Buffer[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.body);
  }

  /** Resolves true once `check` holds, re-checking after every request; false after `timeoutMs`, if given. */
  until(check: () => boolean, timeoutMs?: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (held: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(held);
      };
      const waiter = () => {
        if (check()) done(true);
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const answer = request.method === 'POST' && INTAKE_PATHS.has(path) ? this.answer(body) : 404;
    const status = answer === 'hang' ? 0 : answer;
    this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + 1);
    if (this.keep > 0) {
      this.requests.push({ url: request.url ?? '', contentType: request.headers['content-type'], body, status });
      if (this.requests.length > this.keep) this.requests.shift();
    }
    if (answer !== 'hang') response.writeHead(status, { 'content-type': 'application/json' }).end(status < 300 ? '{}' : '{"error":"unavailable"}');
    for (const waiter of [...this.waiters]) waiter();
  }
}
