/**
 * The state an agent's own OpAMP reports imply, from the last value of every
 * field it has sent (agents leave out what did not change).
 *
 * Precedence when several apply: Error, then Upgrading, then Configuring,
 * then Connected. Pending and Incompatible are a control plane's judgement
 * (a queued rollout, a config with unsupported components); an agent cannot
 * report them, so they come from the Bindplane and event sources.
 */
import type { AgentHealth, AgentReport, PackageStatus } from './observations.js';
import type { CollectorState } from './states.js';

export const RemoteConfigStatuses = { UNSET: 0, APPLIED: 1, APPLYING: 2, FAILED: 3 } as const;
export const PackageStatusEnum = { Installed: 0, InstallPending: 1, Installing: 2, InstallFailed: 3, Downloading: 4 } as const;

const IN_PROGRESS = new Set<number>([PackageStatusEnum.InstallPending, PackageStatusEnum.Installing, PackageStatusEnum.Downloading]);

/** What the agent last said, merged over all its messages. */
export type LastReported = Omit<AgentReport, 'agentDisconnect'>;

/**
 * Collectors report `healthy: false` while they start (the opamp extension
 * with an empty status or StatusStarting, the supervisor with "Agent is
 * starting") and while they stop on purpose; neither is an error.
 */
export function isTransitional(health: AgentHealth): boolean {
  const text = `${health.status} ${health.lastError}`;
  if (health.status === '' && health.lastError === '') return true;
  return /starting|stopping|stopped|shutdown/i.test(text);
}

export interface Derived {
  state: CollectorState;
  /** Why, for the log; never a label. */
  reason?: string;
}

function packagesIn(packages: Record<string, PackageStatus> | undefined, statuses: Set<number>): [string, PackageStatus] | undefined {
  return Object.entries(packages ?? {}).find(([, p]) => statuses.has(p.status));
}

export function deriveState(r: LastReported): Derived {
  if (r.health && !r.health.healthy && !isTransitional(r.health)) {
    return { state: 'Error', reason: `unhealthy: ${r.health.lastError || r.health.status}` };
  }
  if (r.remoteConfigStatus?.status === RemoteConfigStatuses.FAILED) {
    return { state: 'Error', reason: `remote config failed: ${r.remoteConfigStatus.errorMessage}` };
  }
  const failed = packagesIn(r.packageStatuses, new Set([PackageStatusEnum.InstallFailed]));
  if (failed) return { state: 'Error', reason: `package "${failed[0]}" install failed: ${failed[1].errorMessage}` };
  const installing = packagesIn(r.packageStatuses, IN_PROGRESS);
  if (installing) return { state: 'Upgrading', reason: `package "${installing[0]}" to ${installing[1].serverOfferedVersion || 'a new version'}` };
  if (r.remoteConfigStatus?.status === RemoteConfigStatuses.APPLYING) return { state: 'Configuring', reason: 'remote config applying' };
  return { state: 'Connected' };
}
