/**
 * A simulated OpAMP agent: it keeps its own status, sends only what changed
 * (as real agents do), resends everything when the server asks for
 * ReportFullState, and speaks either transport — WebSocket (frames with a 0
 * header) or plain HTTP (protobuf POSTs).
 */
import WebSocket from 'ws';
import {
  decodeServerToAgent,
  encodeAgentToServer,
  AgentCapabilities,
  newInstanceUid,
  type AgentHealthReport,
  type AgentToServerMessage,
  type PackageReport,
  type ServerToAgentReply,
} from './messages.js';

export interface AgentStatus {
  description: { identifying: Record<string, string>; nonIdentifying: Record<string, string> };
  health?: AgentHealthReport;
  remoteConfigStatus?: { status: number; errorMessage?: string };
  packageStatuses?: Record<string, PackageReport>;
}

type Part = 'description' | 'health' | 'remoteConfigStatus' | 'packageStatuses';

/** How long an agent waits for the server's answer. */
const REPLY_TIMEOUT_MS = 10_000;

export interface OpampAgentOptions {
  /** e.g. http://127.0.0.1:4320/v1/opamp (ws:// for WebSocket). */
  endpoint: string;
  transport: 'websocket' | 'http';
  status: AgentStatus;
  instanceUid?: Uint8Array;
}

const CAPABILITIES =
  AgentCapabilities.ReportsStatus | AgentCapabilities.ReportsEffectiveConfig | AgentCapabilities.ReportsHealth | AgentCapabilities.ReportsRemoteConfig | AgentCapabilities.ReportsPackageStatuses | AgentCapabilities.ReportsHeartbeat;

export class OpampAgent {
  readonly instanceUid: Uint8Array;
  private sequenceNum = 0;
  private status: AgentStatus;
  private pending = new Set<Part>(['description', 'health', 'remoteConfigStatus', 'packageStatuses']);
  private socket: WebSocket | undefined;
  private waiting: Array<{ resolve: (reply: ServerToAgentReply) => void; reject: (err: Error) => void }> = [];
  /** Replies that asked for full state; tests read it. */
  fullStateRequests = 0;

  constructor(private readonly opts: OpampAgentOptions) {
    this.instanceUid = opts.instanceUid ?? newInstanceUid();
    this.status = structuredClone(opts.status);
  }

  get id(): string {
    const hex = Buffer.from(this.instanceUid).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  async connect(): Promise<void> {
    if (this.opts.transport !== 'websocket') return;
    const url = this.opts.endpoint.replace(/^http/, 'ws');
    const socket = new WebSocket(url);
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer) => {
      // Strip the 0 header, then hand the reply to whoever waits for it.
      const reply = decodeServerToAgent(data.subarray(1));
      this.waiting.shift()?.resolve(reply);
    });
    socket.on('error', () => undefined);
    // A server that goes away answers nobody: fail whoever still waits.
    socket.on('close', () => {
      for (const w of this.waiting.splice(0)) w.reject(new Error('the OpAMP WebSocket closed'));
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    this.socket = socket;
  }

  /** Changes part of the status; the next message carries only the changed parts. */
  update(change: Partial<AgentStatus>): void {
    for (const part of Object.keys(change) as Part[]) {
      (this.status as unknown as Record<Part, unknown>)[part] = change[part];
      this.pending.add(part);
    }
  }

  /** Sends one message (a heartbeat when nothing changed) and waits for the reply. */
  async send(extra: Partial<AgentToServerMessage> = {}): Promise<ServerToAgentReply> {
    const message: AgentToServerMessage = { instanceUid: this.instanceUid, sequenceNum: ++this.sequenceNum, capabilities: CAPABILITIES, ...extra };
    for (const part of this.pending) (message as unknown as Record<Part, unknown>)[part] = this.status[part];
    this.pending.clear();
    const reply = await this.exchange(encodeAgentToServer(message));
    if (reply.reportFullState) {
      this.fullStateRequests += 1;
      for (const part of ['description', 'health', 'remoteConfigStatus', 'packageStatuses'] as Part[]) this.pending.add(part);
    }
    return reply;
  }

  /** Skips sequence numbers, as an agent whose messages were lost would. */
  skipSequence(n: number): void {
    this.sequenceNum += n;
  }

  /** A clean shutdown: agent_disconnect, then close. */
  async disconnect(): Promise<void> {
    await this.send({ agentDisconnect: true });
    await this.close();
  }

  /** Closes the WebSocket without saying goodbye (a crash, a network cut). */
  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
  }

  private async exchange(body: Uint8Array): Promise<ServerToAgentReply> {
    if (this.opts.transport === 'http') {
      const response = await fetch(this.opts.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body, signal: AbortSignal.timeout(REPLY_TIMEOUT_MS) });
      if (response.status !== 200) throw new Error(`OpAMP server answered ${response.status}: ${await response.text()}`);
      return decodeServerToAgent(new Uint8Array(await response.arrayBuffer()));
    }
    if (!this.socket) throw new Error('not connected');
    const reply = new Promise<ServerToAgentReply>((resolve, reject) => {
      const waiter = {
        resolve: (r: ServerToAgentReply) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new Error('no OpAMP reply in time'));
      }, REPLY_TIMEOUT_MS);
      this.waiting.push(waiter);
    });
    this.socket.send(Buffer.concat([Buffer.from([0]), body]));
    return reply;
  }
}
