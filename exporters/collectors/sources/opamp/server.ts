/**
 * The observe-only OpAMP server (default :4320/v1/opamp). Both transports on
 * one URL: plain HTTP (a protobuf POST answered with a ServerToAgent, content
 * type exactly application/x-protobuf) and WebSocket (each frame a varint
 * header 0, then the protobuf). It decodes, turns messages into observations
 * and answers; what the messages mean is the model's business.
 */
import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Clock } from '../../../core/clock.js';
import { createFastify, InputError } from '../../../core/http.js';
import type { Logger } from '../../../core/log.js';
import { ProtoError, ProtoReader } from '../../../core/protobuf.js';
import type { Rejections } from '../../../core/self-metrics.js';
import type { ApplyResult } from '../../model.js';
import type { CollectorObservation } from '../../observations.js';
import { decodeAgentToServer, encodeErrorResponse, encodeServerToAgent, ServerErrorResponseType } from './messages.js';

export const PROTOBUF = 'application/x-protobuf';

export interface OpampServerOptions {
  host: string;
  port: number;
  path: string;
  bodyLimitBytes: number;
  clock: Clock;
  log: Logger;
  rejections: Rejections;
  /** Applies an observation and makes it durable; resolves with what to tell the agent. */
  ingest: (obs: CollectorObservation) => Promise<ApplyResult>;
}

/** Strips the WebSocket frame header: a varint that must be 0. */
function unwrapFrame(frame: Buffer): Buffer {
  const r = new ProtoReader(frame);
  const header = r.varint();
  if (header !== 0) throw new ProtoError(`WebSocket frame header is ${header}; it must be 0`);
  // A 0 header is one byte long.
  return frame.subarray(1);
}

export class OpampServer {
  private readonly app: FastifyInstance;
  /** The socket that currently speaks for each collector. */
  private readonly sockets = new Map<string, WebSocket>();

  constructor(private readonly opts: OpampServerOptions) {
    this.app = createFastify({ log: opts.log, rejections: opts.rejections, bodyLimitBytes: opts.bodyLimitBytes, acceptedTypes: PROTOBUF });
    // Only protobuf is spoken here: anything else is a 415.
    this.app.removeAllContentTypeParsers();
    this.app.addContentTypeParser(PROTOBUF, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    void this.app.register(websocket, { options: { maxPayload: opts.bodyLimitBytes } });
    void this.app.register(async (scope) => {
      scope.route({
        method: 'GET',
        url: opts.path,
        handler: async () => {
          throw new InputError(400, 'not_opamp', `${opts.path} speaks OpAMP: POST ${PROTOBUF}, or open a WebSocket`);
        },
        wsHandler: (socket) => this.serveSocket(socket),
      });
      scope.post(opts.path, (request, reply) => this.serveHttp(request.body as Buffer, reply));
    });
  }

  async start(): Promise<number> {
    await this.app.listen({ host: this.opts.host, port: this.opts.port });
    await this.opts.ingest({ kind: 'source_status', source: 'opamp', up: true, at: this.opts.clock.now() });
    return (this.app.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.app.websocketServer?.clients ?? []) socket.terminate();
    await this.app.close();
  }

  private async serveHttp(body: Buffer, reply: import('fastify').FastifyReply): Promise<void> {
    let decoded;
    try {
      decoded = decodeAgentToServer(body);
    } catch (err) {
      if (err instanceof ProtoError) throw new InputError(400, 'invalid_protobuf', `${err.message}; the body must be an OpAMP AgentToServer message`);
      throw err;
    }
    const result = await this.opts.ingest({ kind: 'opamp_report', at: this.opts.clock.now(), transport: 'http', report: decoded.report });
    await reply.type(PROTOBUF).send(Buffer.from(encodeServerToAgent(decoded.uid, result.reportFullState !== undefined)));
  }

  private serveSocket(socket: WebSocket): void {
    let collectorId: string | undefined;
    // One message at a time per socket, in arrival order.
    let queue = Promise.resolve();
    socket.on('message', (data, isBinary) => {
      queue = queue.then(() => this.serveFrame(socket, data as Buffer, isBinary, (id) => {
        collectorId = id;
        this.sockets.set(id, socket);
      }));
    });
    socket.on('close', (code) => {
      if (code === 1009) this.opts.rejections.count('body_too_large');
      queue = queue.then(async () => {
        // A collector that reconnected on a new socket is not disconnected by the old one closing.
        if (collectorId && this.sockets.get(collectorId) === socket) {
          this.sockets.delete(collectorId);
          await this.opts.ingest({ kind: 'opamp_socket_closed', at: this.opts.clock.now(), collectorId });
        }
      });
    });
  }

  private async serveFrame(socket: WebSocket, data: Buffer, isBinary: boolean, bind: (id: string) => void): Promise<void> {
    const refuse = (reason: string, message: string) => {
      this.opts.rejections.count(reason);
      socket.send(Buffer.concat([Buffer.from([0]), encodeErrorResponse(ServerErrorResponseType.BadRequest, message)]));
    };
    if (!isBinary) return refuse('invalid_frame', 'OpAMP frames are binary: a varint header 0, then an AgentToServer');
    let decoded;
    try {
      decoded = decodeAgentToServer(unwrapFrame(data));
    } catch (err) {
      if (err instanceof ProtoError) return refuse('invalid_protobuf', err.message);
      throw err;
    }
    bind(decoded.report.instanceUid);
    try {
      const result = await this.opts.ingest({ kind: 'opamp_report', at: this.opts.clock.now(), transport: 'websocket', report: decoded.report });
      if (socket.readyState === socket.OPEN) {
        socket.send(Buffer.concat([Buffer.from([0]), encodeServerToAgent(decoded.uid, result.reportFullState !== undefined)]));
      }
    } catch (err) {
      this.opts.log.error({ err }, 'OpAMP WebSocket message failed');
    }
  }
}
