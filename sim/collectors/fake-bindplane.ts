/**
 * A FAKE Bindplane REST API (Bindplane is closed source and cannot run here),
 * written from its documented shapes: `GET /v1/agents?offset&limit` answering
 * `{"agents": [...]}` with numeric `status`, behind `X-Bindplane-Api-Key`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAgent {
  id: string;
  name: string;
  hostname: string;
  version: string;
  status: number;
  connectedAt?: string;
  disconnectedAt?: string;
  reported_at?: string;
}

export class FakeBindplane {
  agents: FakeAgent[] = [];
  /** When set, every request gets this status (an outage). */
  failWith: number | undefined;
  requests: Array<{ offset: number; limit: number; apiKey: string | undefined }> = [];
  private server: Server | undefined;

  constructor(readonly apiKey: string) {}

  async start(host = '127.0.0.1', port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const apiKey = req.headers['x-bindplane-api-key'] as string | undefined;
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      this.requests.push({ offset, limit, apiKey });
      if (this.failWith) return void res.writeHead(this.failWith).end('unavailable');
      if (apiKey !== this.apiKey) return void res.writeHead(401).end('{"error":"unauthorized"}');
      if (url.pathname !== '/v1/agents') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ agents: this.agents.slice(offset, offset + limit) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server?.listening) return;
    await new Promise((resolve) => this.server!.close(resolve));
  }
}
