/**
 * A fake Formal Connector health port, for the fleet simulator, the tests
 * and the benchmark: the connector itself cannot run here, so this real HTTP
 * server answers GET /health and GET /ready as the reference (Topic B) says
 * a connector does in each phase of its life:
 *
 *   starting  /health 200, /ready 503 (not yet connected to the Control Plane)
 *   ready     /health 200, /ready 200
 *   draining  /health 200, /ready 503 (SIGTERM received, shutting down)
 *   hung      /health never answers, /ready 503
 *
 * `close()` makes it gone: the port then refuses connections.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type ConnectorMode = 'starting' | 'ready' | 'draining' | 'hung';

export class FakeConnector extends EventEmitter<{ request: [path: string] }> {
  mode: ConnectorMode;
  readonly requests = { health: 0, ready: 0 };
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly servers: Server[],
    readonly port: number,
    mode: ConnectorMode,
  ) {
    super();
    this.mode = mode;
  }

  /** Listens on 127.0.0.1 (and on the other loopback hosts given, on the same port); port 0 picks one. */
  static async start(mode: ConnectorMode, hosts: readonly string[] = ['127.0.0.1'], port = 0): Promise<FakeConnector> {
    const servers: Server[] = [];
    let fake: FakeConnector | undefined;
    for (const host of hosts) {
      const server = createServer((req, res) => fake!.handle(req, res));
      server.on('connection', (socket) => {
        fake!.sockets.add(socket);
        socket.once('close', () => fake!.sockets.delete(socket));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      port = (server.address() as { port: number }).port;
      servers.push(server);
    }
    fake = new FakeConnector(servers, port, mode);
    return fake;
  }

  /** host:port on 127.0.0.1. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Resolves when the next request for `path` has arrived (and been answered, unless hung). */
  nextRequest(path: '/health' | '/ready'): Promise<void> {
    return new Promise((resolve) => {
      const listener = (p: string) => {
        if (p !== path) return;
        this.off('request', listener);
        resolve();
      };
      this.on('request', listener);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '';
    if (path === '/health') {
      this.requests.health += 1;
      if (this.mode !== 'hung') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (path === '/ready') {
      this.requests.ready += 1;
      const ready = this.mode === 'ready';
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready' : 'not ready');
    } else {
      res.writeHead(404).end();
    }
    this.emit('request', path);
  }
}
