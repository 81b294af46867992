/**
 * Elastic's OpAMP client (a real client written by others, HTTP only) with a
 * way to wait for its next successful exchange, through the diagnostics
 * channel it publishes on when `diagEnabled` is set.
 */
import diagnostics from 'node:diagnostics_channel';
import opamp from '@elastic/opamp-client-node';

/** RemoteConfigStatuses, as the client's generated enum numbers them. */
export const RemoteConfigStatus = { APPLIED: 1, APPLYING: 2, FAILED: 3 } as const;

interface SendEvent {
  instanceUidStr: string;
  a2s: { agentDescription?: unknown; remoteConfigStatus?: unknown; sequenceNum: bigint };
  s2a: { flags: bigint };
}

export interface ElasticAgent {
  client: ReturnType<typeof opamp.createOpAMPClient>;
  id: string;
  /** Resolves with the next exchange that succeeded. */
  nextSend(): Promise<SendEvent>;
  stop(): Promise<void>;
}

export function startElasticAgent(endpoint: string, heartbeatIntervalSeconds = 3600): ElasticAgent {
  const client = opamp.createOpAMPClient({
    endpoint,
    heartbeatIntervalSeconds,
    // AcceptsRemoteConfig | ReportsRemoteConfig, the only capabilities the client lets us add.
    capabilities: BigInt(0x2 | 0x1000),
    diagEnabled: true,
  });
  const hex = Buffer.from(client.getInstanceUid() as Uint8Array).toString('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const events: SendEvent[] = [];
  const waiters: Array<(e: SendEvent) => void> = [];
  const channel = diagnostics.channel(opamp.DIAG_CH_SEND_SUCCESS);
  const onSend = (message: unknown) => {
    const event = message as SendEvent;
    if (event.instanceUidStr !== id) return;
    const waiter = waiters.shift();
    if (waiter) waiter(event);
    else events.push(event);
  };
  channel.subscribe(onSend);
  client.setAgentDescription({
    identifyingAttributes: { 'service.name': 'elastic-otel-node', 'service.version': '1.2.3' },
    nonIdentifyingAttributes: { 'host.name': 'app-host-1' },
  });
  client.start();
  let stopped = false;
  return {
    client,
    id,
    nextSend: () => {
      const queued = events.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      channel.unsubscribe(onSend);
      await client.shutdown();
    },
  };
}
