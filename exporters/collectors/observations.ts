/**
 * What the sources tell the model: small typed, timestamped facts. Times are
 * milliseconds since the epoch.
 */
import type { CollectorState } from './states.js';

export type SourceName = 'opamp' | 'bindplane' | 'events';

export interface AgentHealth {
  healthy: boolean;
  status: string;
  lastError: string;
}

export interface RemoteConfigStatus {
  /** RemoteConfigStatuses: 0 UNSET, 1 APPLIED, 2 APPLYING, 3 FAILED. */
  status: number;
  errorMessage: string;
}

export interface PackageStatus {
  /** PackageStatusEnum: 0 Installed, 1 InstallPending, 2 Installing, 3 InstallFailed, 4 Downloading. */
  status: number;
  agentHasVersion: string;
  serverOfferedVersion: string;
  errorMessage: string;
}

export interface AgentDescription {
  identifying: Record<string, string>;
  nonIdentifying: Record<string, string>;
}

/**
 * One OpAMP AgentToServer message, as decoded. Optional parts are absent when
 * the agent left them out because they did not change.
 */
export interface AgentReport {
  instanceUid: string;
  sequenceNum: number;
  capabilities: number;
  description?: AgentDescription;
  health?: AgentHealth;
  remoteConfigStatus?: RemoteConfigStatus;
  packageStatuses?: Record<string, PackageStatus>;
  agentDisconnect: boolean;
}

export type CollectorObservation =
  | { kind: 'opamp_report'; at: number; transport: 'http' | 'websocket'; report: AgentReport }
  | { kind: 'opamp_socket_closed'; at: number; collectorId: string }
  /** A state reported by a control plane (Bindplane) or by rollout tooling (events). */
  | {
      kind: 'reported_state';
      at: number;
      source: Exclude<SourceName, 'opamp'>;
      collectorId: string;
      /** Undefined when the source's status code is unknown: update identity, leave state alone. */
      state?: CollectorState;
      /** The source's own status code, when it is not one the status map knows. */
      unknownStatus?: number;
      /** When the state began, if the source says. */
      since?: number;
      /** When the source last heard from the collector, if it says. */
      lastSeen?: number;
      name?: string;
      version?: string;
      host?: string;
      reason?: string;
    }
  | { kind: 'forget'; at: number; collectorId: string }
  /** `delivered`: the source brought data just now (sets its last success). */
  | { kind: 'source_status'; at: number; source: SourceName; up: boolean; delivered?: boolean };
