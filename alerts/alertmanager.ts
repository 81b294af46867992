/**
 * The Alertmanager configuration, as code: critical pages through a
 * PagerDuty Events v2 receiver, warning opens a ticket through a webhook,
 * info goes nowhere; alerts group by domain and entity; inhibitions make one
 * cause page once. Rendered twice for the stack — with real PagerDuty, and
 * with a local pager for when no routing key is given — and by the
 * end-to-end test with loopback addresses.
 */
import { stringify } from 'yaml';

export interface AlertmanagerTargets {
  /** Where the routing key is read from (a file; never committed). */
  routingKeyFile: string;
  /** PagerDuty's Events v2 URL, or a local stand-in. Undefined: PagerDuty's own. */
  pagerDutyUrl?: string;
  /** Where warnings go as Alertmanager webhooks (a ticketing bridge). */
  ticketWebhookUrl: string;
  /** Notification timing; the defaults suit production, the end-to-end test shortens them. */
  timing?: { groupWait: string; pageGroupWait: string; groupInterval: string; repeatInterval: string };
}

const PRODUCTION_TIMING = { groupWait: '30s', pageGroupWait: '10s', groupInterval: '5m', repeatInterval: '4h' };

/**
 * Labels that name an entity, in any domain: alerts about the same one travel
 * together. A health-sync stream is the entity (its sub streams are detail),
 * so one broken integration is one notification.
 */
export const ENTITY_LABELS = ['job', 'collector_id', 'connector', 'instance', 'stream', 'manager'];

/** Which alert silences which, and on which labels they must agree. */
export const INHIBITIONS: Array<{ why: string; source: string[]; target: string[]; equal: string[] }> = [
  {
    why: 'an exporter that is down makes every alert derived from it stale',
    source: ['alertname="FleetwatchExporterDown"'],
    target: ['alertname!="FleetwatchExporterDown"'],
    equal: ['domain'],
  },
  {
    why: 'a fleet-wide disconnect pages once, not once per collector',
    source: ['alertname="CollectorFleetDisconnected"'],
    target: ['alertname="CollectorDisconnected"'],
    equal: ['job'],
  },
  {
    why: 'a connector with no ready instance pages once, not once per instance',
    source: ['alertname="ConnectorNoReadyInstance"'],
    target: ['alertname=~"ConnectorInstanceDown|ConnectorInstanceNotReady|ConnectorHeartbeatMissing|ConnectorControlPlanePingsMissing|ConnectorMemoryHigh|ConnectorRedundancyLost|ConnectorUnexpectedStops"'],
    equal: ['job', 'connector'],
  },
  {
    why: 'half the health-sync estate going stale pages once, not once per sub stream',
    source: ['alertname="HealthSyncManySubStreamsLate"'],
    target: ['alertname=~"HealthSyncSubStreamLate|HealthSyncSubStreamExpired"'],
    equal: ['job'],
  },
  {
    why: 'a snapshot missing its stop is why its sub stream is late',
    source: ['alertname="HealthSyncSubStreamMissingStop"'],
    target: ['alertname="HealthSyncSubStreamLate"'],
    equal: ['job', 'instance', 'stream', 'sub_stream'],
  },
  {
    why: 'a tee spool about to fill pages; its stalled delivery is the same cause',
    source: ['alertname="HealthSyncTeeSpoolFilling"'],
    target: ['alertname="HealthSyncTeeDeliveryStalled"'],
    equal: ['job', 'instance'],
  },
  {
    why: 'a Butler that cannot be scraped freezes every phase metric derived from it',
    source: ['alertname="ButlerTargetDown"'],
    target: ['alertname=~"Butler.+"', 'alertname!="ButlerTargetDown"'],
    equal: ['job', 'instance'],
  },
];

export function alertmanagerConfig(t: AlertmanagerTargets): Record<string, unknown> {
  const timing = t.timing ?? PRODUCTION_TIMING;
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: 'ticket',
      group_by: ['domain', ...ENTITY_LABELS],
      group_wait: timing.groupWait,
      group_interval: timing.groupInterval,
      repeat_interval: timing.repeatInterval,
      routes: [
        { receiver: 'blackhole', matchers: ['severity="info"'] },
        // Pages go out sooner than tickets.
        { receiver: 'pager', matchers: ['severity="critical"'], group_wait: timing.pageGroupWait },
        { receiver: 'ticket', matchers: ['severity="warning"'] },
      ],
    },
    inhibit_rules: INHIBITIONS.map((i) => ({ source_matchers: i.source, target_matchers: i.target, equal: i.equal })),
    receivers: [
      {
        name: 'pager',
        pagerduty_configs: [
          {
            routing_key_file: t.routingKeyFile,
            ...(t.pagerDutyUrl ? { url: t.pagerDutyUrl } : {}),
            send_resolved: true,
            severity: '{{ .CommonLabels.severity }}',
            description: '{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}',
            client: 'fleetwatch',
            client_url: '{{ .CommonAnnotations.dashboard_url }}',
            component: '{{ .CommonLabels.domain }}',
            group: '{{ .CommonLabels.alertname }}',
            details: {
              firing: '{{ range .Alerts.Firing }}{{ .Labels.alertname }}: {{ .Annotations.description }}\n{{ end }}',
              resolved: '{{ range .Alerts.Resolved }}{{ .Labels.alertname }}: {{ .Annotations.description }}\n{{ end }}',
              runbook: '{{ .CommonAnnotations.runbook_url }}',
              num_firing: '{{ .Alerts.Firing | len }}',
            },
          },
        ],
      },
      { name: 'ticket', webhook_configs: [{ url: t.ticketWebhookUrl, send_resolved: true, max_alerts: 50 }] },
      { name: 'blackhole' },
    ],
  };
}

const HEADER = '# Generated by `npm run generate` from alerts/alertmanager.ts; do not edit.\n';

export function renderAlertmanagerConfig(t: AlertmanagerTargets): string {
  return HEADER + stringify(alertmanagerConfig(t), { lineWidth: 0 });
}

/** The stack's two configs: stack/alertmanager/start.sh picks one by whether a routing key was given. */
export function alertmanagerArtifacts(): Record<string, string> {
  // Where stack/alertmanager/start.sh puts the key it was given.
  const routingKeyFile = '/tmp/fleetwatch/pagerduty-routing-key';
  const ticketWebhookUrl = 'http://pager:9099/tickets';
  return {
    'stack/alertmanager/alertmanager.yml': renderAlertmanagerConfig({ routingKeyFile, ticketWebhookUrl }),
    'stack/alertmanager/alertmanager.local-pager.yml': renderAlertmanagerConfig({ routingKeyFile: '/etc/alertmanager/local-pager-routing-key', pagerDutyUrl: 'http://pager:9099/v2/enqueue', ticketWebhookUrl }),
  };
}
