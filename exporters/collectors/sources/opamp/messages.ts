/**
 * The OpAMP messages this observe-only server reads and writes, by field
 * number (opamp-spec, opamp.proto: AgentToServer, ServerToAgent and the
 * messages inside them). Only what state derivation needs is decoded; every
 * other field is skipped, as protobuf allows.
 */
import { ProtoError, ProtoReader, ProtoWriter, WireType } from '../../../core/protobuf.js';
import type { AgentDescription, AgentHealth, AgentReport, PackageStatus, RemoteConfigStatus } from '../../observations.js';

/** ServerCapabilities we announce: we accept status, effective config and package statuses; we offer nothing. */
export const SERVER_CAPABILITIES = 0x1 | 0x4 | 0x10;
export const ServerToAgentFlags = { ReportFullState: 1 } as const;
export const ServerErrorResponseType = { Unknown: 0, BadRequest: 1, Unavailable: 2 } as const;

/** 16 bytes → canonical UUID text; older agents sent a ULID string, kept as is. */
export function formatInstanceUid(bytes: Uint8Array): string {
  if (bytes.length === 16) {
    const hex = Buffer.from(bytes).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  const text = Buffer.from(bytes).toString('utf8');
  if (/^[\x21-\x7e]{1,64}$/.test(text)) return text;
  throw new ProtoError(`instance_uid must be 16 bytes (a UUID), got ${bytes.length}`);
}

/** AnyValue (anyvalue.proto) as text; arrays and kvlists are not identity material. */
function anyValueText(r: ProtoReader): string {
  let out = '';
  while (r.next()) {
    switch (r.field) {
      case 1: out = r.string(); break; // string_value
      case 2: out = String(r.bool()); break; // bool_value
      case 3: out = String(r.varint()); break; // int_value
      case 4: out = String(r.double()); break; // double_value
      default: r.skip();
    }
  }
  return out;
}

/** KeyValue: key (1), value (2). */
function readKeyValue(r: ProtoReader, into: Record<string, string>): void {
  let key = '';
  let value = '';
  while (r.next()) {
    if (r.field === 1) key = r.string();
    else if (r.field === 2) value = anyValueText(r.message());
    else r.skip();
  }
  if (key) into[key] = value;
}

/** AgentDescription: identifying_attributes (1), non_identifying_attributes (2). */
function readDescription(r: ProtoReader): AgentDescription {
  const d: AgentDescription = { identifying: {}, nonIdentifying: {} };
  while (r.next()) {
    if (r.field === 1) readKeyValue(r.message(), d.identifying);
    else if (r.field === 2) readKeyValue(r.message(), d.nonIdentifying);
    else r.skip();
  }
  return d;
}

/** ComponentHealth: healthy (1), last_error (3), status (4); absent fields are proto3 defaults. */
function readHealth(r: ProtoReader): AgentHealth {
  const h: AgentHealth = { healthy: false, status: '', lastError: '' };
  while (r.next()) {
    if (r.field === 1) h.healthy = r.bool();
    else if (r.field === 3) h.lastError = r.string();
    else if (r.field === 4) h.status = r.string();
    else r.skip();
  }
  return h;
}

/** RemoteConfigStatus: status (2), error_message (3). */
function readRemoteConfigStatus(r: ProtoReader): RemoteConfigStatus {
  const s: RemoteConfigStatus = { status: 0, errorMessage: '' };
  while (r.next()) {
    if (r.field === 2) s.status = r.varint();
    else if (r.field === 3) s.errorMessage = r.string();
    else r.skip();
  }
  return s;
}

/** PackageStatus: agent_has_version (2), server_offered_version (4), status (6), error_message (7). */
function readPackageStatus(r: ProtoReader): PackageStatus {
  const p: PackageStatus = { status: 0, agentHasVersion: '', serverOfferedVersion: '', errorMessage: '' };
  while (r.next()) {
    switch (r.field) {
      case 2: p.agentHasVersion = r.string(); break;
      case 4: p.serverOfferedVersion = r.string(); break;
      case 6: p.status = r.varint(); break;
      case 7: p.errorMessage = r.string(); break;
      default: r.skip();
    }
  }
  return p;
}

/** PackageStatuses: packages (1, map<string, PackageStatus>: entry key 1, value 2). */
function readPackageStatuses(r: ProtoReader): Record<string, PackageStatus> {
  const packages: Record<string, PackageStatus> = {};
  while (r.next()) {
    if (r.field !== 1) {
      r.skip();
      continue;
    }
    const entry = r.message();
    let name = '';
    let status: PackageStatus = { status: 0, agentHasVersion: '', serverOfferedVersion: '', errorMessage: '' };
    while (entry.next()) {
      if (entry.field === 1) name = entry.string();
      else if (entry.field === 2) status = readPackageStatus(entry.message());
      else entry.skip();
    }
    packages[name] = status;
  }
  return packages;
}

export interface DecodedAgentToServer {
  report: AgentReport;
  /** instance_uid as sent, to echo in the reply. */
  uid: Uint8Array;
}

/** Decodes an AgentToServer; throws ProtoError on anything malformed. */
export function decodeAgentToServer(bytes: Uint8Array): DecodedAgentToServer {
  const r = new ProtoReader(bytes);
  let uid: Uint8Array | undefined;
  const report: Omit<AgentReport, 'instanceUid'> = { sequenceNum: 0, capabilities: 0, agentDisconnect: false };
  while (r.next()) {
    switch (r.field) {
      case 1: r.expect(WireType.LengthDelimited); uid = r.bytes(); break;
      case 2: r.expect(WireType.Varint); report.sequenceNum = r.varint(); break;
      case 3: report.description = readDescription(r.message()); break;
      case 4: r.expect(WireType.Varint); report.capabilities = r.varint(); break;
      case 5: report.health = readHealth(r.message()); break;
      case 7: report.remoteConfigStatus = readRemoteConfigStatus(r.message()); break;
      case 8: report.packageStatuses = readPackageStatuses(r.message()); break;
      case 9: r.message(); report.agentDisconnect = true; break;
      default: r.skip();
    }
  }
  if (!uid || uid.length === 0) throw new ProtoError('instance_uid (field 1) is missing');
  return { report: { instanceUid: formatInstanceUid(uid), ...report }, uid };
}

/** The reply to every message: echo the uid, announce capabilities, maybe ask for full state. */
export function encodeServerToAgent(instanceUid: Uint8Array, reportFullState: boolean): Uint8Array {
  const w = new ProtoWriter().bytes(1, instanceUid);
  if (reportFullState) w.varint(6, ServerToAgentFlags.ReportFullState);
  return w.varint(7, SERVER_CAPABILITIES).finish();
}

/** A ServerToAgent carrying only error_response (2): type (1), error_message (2). */
export function encodeErrorResponse(type: number, message: string): Uint8Array {
  return new ProtoWriter().message(2, new ProtoWriter().varint(1, type).string(2, message)).finish();
}
