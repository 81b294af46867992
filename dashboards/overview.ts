/** fleetwatch / Overview: what is broken right now, across all four domains, with links into each. */
import { DashboardLinkBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { fleetDashboard, type Panel, type Section } from './lib/dashboard.js';
import { goodBelow, stat, table, UP_DOWN } from './lib/panels.js';
import { butlerOverview } from './butler.js';
import { collectorsOverview } from './collectors.js';
import { connectorsOverview } from './connectors.js';
import { healthsyncOverview } from './healthsync.js';
import { DASHBOARD_UIDS } from './uids.js';

/** Each domain's at-a-glance panels, linked to its own dashboard. */
export interface DomainOverview {
  title: string;
  uid: string;
  panels: () => Panel[];
}

export const DOMAIN_OVERVIEWS: DomainOverview[] = [
  { title: 'Collectors', uid: DASHBOARD_UIDS.collectors, panels: collectorsOverview },
  { title: 'Connectors', uid: DASHBOARD_UIDS.connectors, panels: connectorsOverview },
  { title: 'Health sync', uid: DASHBOARD_UIDS.healthsync, panels: healthsyncOverview },
  { title: 'Butler', uid: DASHBOARD_UIDS.butler, panels: butlerOverview },
];

function linked(domain: DomainOverview): Section {
  const link = new DashboardLinkBuilder(`Open fleetwatch / ${domain.title}`).url(`/d/${domain.uid}`).keepTime(true);
  return { title: domain.title, panels: domain.panels().map((p) => p.links([link])) };
}

export function overviewDashboard() {
  return fleetDashboard({
    uid: DASHBOARD_UIDS.overview,
    title: 'fleetwatch / Overview',
    description: 'What is broken right now across collectors, connectors, health sync and Butler. Every panel links to its domain dashboard.',
    tags: ['overview'],
    sections: [
      {
        title: 'Alerts and exporters',
        panels: [
          stat({
            title: 'Firing alerts',
            description: 'Alerts firing now, by severity: critical pages, warning opens a ticket.',
            unit: 'none',
            thresholds: goodBelow(1),
            span: 8,
            height: 4,
            queries: [{ expr: 'sum by (severity) (ALERTS{alertstate="firing",domain!=""}) or vector(0)', legend: '{{severity}}' }],
          }),
          stat({
            title: 'Exporters',
            description: 'Whether Prometheus scrapes each fleetwatch exporter. A down exporter leaves its domain unmonitored (FleetwatchExporterDown).',
            unit: 'none',
            thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
            mappings: UP_DOWN,
            span: 16,
            height: 4,
            queries: [{ expr: 'up{job=~"fleetwatch-.+"}', legend: '{{job}}' }],
          }),
          table({
            title: 'Firing now',
            description: 'Every firing fleetwatch alert with its labels; open the runbook from Alertmanager or the alert notification.',
            unit: 'none',
            thresholds: [{ value: null, color: 'red' }],
            span: 24,
            height: 7,
            hide: ['Value', 'alertstate'],
            queries: [{ expr: 'ALERTS{alertstate="firing",domain!=""}' }],
          }),
        ],
      },
      ...DOMAIN_OVERVIEWS.map(linked),
    ],
  });
}
