/**
 * The agent side of OpAMP, by field number: AgentToServer out, ServerToAgent
 * in (opamp.proto). Written from the protocol, for the simulator's agents and
 * for tests that need an OpAMP client other than Elastic's HTTP-only one.
 */
import { ProtoReader, ProtoWriter } from '../../exporters/core/protobuf.js';

export interface AgentHealthReport {
  healthy: boolean;
  status?: string;
  lastError?: string;
  startTimeUnixNano?: bigint;
}

export interface PackageReport {
  /** PackageStatusEnum: 0 Installed, 1 InstallPending, 2 Installing, 3 InstallFailed, 4 Downloading. */
  status: number;
  agentHasVersion?: string;
  serverOfferedVersion?: string;
  errorMessage?: string;
}

export interface AgentToServerMessage {
  instanceUid: Uint8Array;
  sequenceNum: number;
  capabilities: number;
  description?: { identifying: Record<string, string>; nonIdentifying: Record<string, string> };
  health?: AgentHealthReport;
  /** RemoteConfigStatuses: 0 UNSET, 1 APPLIED, 2 APPLYING, 3 FAILED. */
  remoteConfigStatus?: { status: number; errorMessage?: string; lastRemoteConfigHash?: Uint8Array };
  packageStatuses?: Record<string, PackageReport>;
  agentDisconnect?: boolean;
}

/** AgentCapabilities bits an observed agent typically announces. */
export const AgentCapabilities = {
  ReportsStatus: 0x1,
  ReportsEffectiveConfig: 0x4,
  ReportsPackageStatuses: 0x10,
  ReportsHealth: 0x800,
  ReportsRemoteConfig: 0x1000,
  ReportsHeartbeat: 0x2000,
} as const;

function keyValues(w: ProtoWriter, field: number, attrs: Record<string, string>): void {
  for (const [key, value] of Object.entries(attrs)) {
    // KeyValue{key 1, value 2: AnyValue{string_value 1}}
    w.message(field, new ProtoWriter().string(1, key).message(2, new ProtoWriter().string(1, value)));
  }
}

export function encodeAgentToServer(m: AgentToServerMessage): Uint8Array {
  const w = new ProtoWriter().bytes(1, m.instanceUid).varint(2, m.sequenceNum);
  if (m.description) {
    const d = new ProtoWriter();
    keyValues(d, 1, m.description.identifying);
    keyValues(d, 2, m.description.nonIdentifying);
    w.message(3, d);
  }
  w.varint(4, m.capabilities);
  if (m.health) {
    const h = new ProtoWriter();
    if (m.health.healthy) h.bool(1, true);
    if (m.health.startTimeUnixNano) h.fixed64(2, m.health.startTimeUnixNano);
    if (m.health.lastError) h.string(3, m.health.lastError);
    if (m.health.status) h.string(4, m.health.status);
    w.message(5, h);
  }
  if (m.remoteConfigStatus) {
    const r = new ProtoWriter();
    if (m.remoteConfigStatus.lastRemoteConfigHash) r.bytes(1, m.remoteConfigStatus.lastRemoteConfigHash);
    if (m.remoteConfigStatus.status) r.varint(2, m.remoteConfigStatus.status);
    if (m.remoteConfigStatus.errorMessage) r.string(3, m.remoteConfigStatus.errorMessage);
    w.message(7, r);
  }
  if (m.packageStatuses) {
    const ps = new ProtoWriter();
    for (const [name, p] of Object.entries(m.packageStatuses)) {
      const s = new ProtoWriter().string(1, name);
      if (p.agentHasVersion) s.string(2, p.agentHasVersion);
      if (p.serverOfferedVersion) s.string(4, p.serverOfferedVersion);
      if (p.status) s.varint(6, p.status);
      if (p.errorMessage) s.string(7, p.errorMessage);
      ps.message(1, new ProtoWriter().string(1, name).message(2, s));
    }
    w.message(8, ps);
  }
  if (m.agentDisconnect) w.message(9, new ProtoWriter());
  return w.finish();
}

export interface ServerToAgentReply {
  instanceUid?: Uint8Array;
  reportFullState: boolean;
  capabilities: number;
  errorMessage?: string;
}

export function decodeServerToAgent(bytes: Uint8Array): ServerToAgentReply {
  const reply: ServerToAgentReply = { reportFullState: false, capabilities: 0 };
  const r = new ProtoReader(bytes);
  while (r.next()) {
    if (r.field === 1) reply.instanceUid = r.bytes();
    else if (r.field === 2) {
      const e = r.message();
      while (e.next()) {
        if (e.field === 2) reply.errorMessage = e.string();
        else e.skip();
      }
    } else if (r.field === 6) reply.reportFullState = (r.varint() & 1) === 1;
    else if (r.field === 7) reply.capabilities = r.varint();
    else r.skip();
  }
  return reply;
}

/** A fresh random instance_uid (UUIDv4 bytes). */
export function newInstanceUid(): Uint8Array {
  return Buffer.from(crypto.randomUUID().replace(/-/g, ''), 'hex');
}
