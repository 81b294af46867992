/**
 * A fake of the StackState receiver's intake (the receiver cannot run here),
 * for tee tests: a real HTTP server on loopback that records every request
 * body as raw bytes and answers as told — 200 when up, 503 while failing,
 * a status chosen per body, or no answer at all (`'hang'`). Nothing is listening before `listen` or after
 * `close`, so the exporter sees connection refused.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  readonly requests: ReceivedRequest[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1 (port 0: any free port). */
  static listen(port = 0): Promise<FakeReceiver> {
    return new Promise((resolve, reject) => {
      let receiver: FakeReceiver;
      const server = createServer((request, response) => void receiver.serve(request, response));
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        receiver = new FakeReceiver(server, (server.address() as AddressInfo).port);
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

  url(path = '/receiver/stsAgent/intake'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Bodies answered 2xx, in arrival order. */
  get accepted(): Buffer[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.body);
  }

  /** Resolves once `check` holds, re-checking after every request. */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = () => {
        if (!check()) return;
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async serve(request: IncomingMessage, response: import('node:http').ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const answer = this.answer(body);
    const status = answer === 'hang' ? 0 : answer;
    this.requests.push({ url: request.url ?? '', contentType: request.headers['content-type'], body, status });
    if (answer !== 'hang') response.writeHead(status, { 'content-type': 'application/json' }).end(status < 300 ? '{}' : '{"error":"unavailable"}');
    for (const waiter of [...this.waiters]) waiter();
  }
}
