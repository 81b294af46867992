/** Every dashboard, and the JSON files generated from them for Grafana's file provisioning. */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { butlerDashboard } from './butler.js';
import { collectorsDashboard } from './collectors.js';
import { connectorsDashboard } from './connectors.js';
import { healthsyncDashboard } from './healthsync.js';
import { overviewDashboard } from './overview.js';

export function dashboards(): Dashboard[] {
  return [overviewDashboard(), collectorsDashboard(), connectorsDashboard(), healthsyncDashboard(), butlerDashboard()];
}

export function dashboardArtifacts(): Record<string, string> {
  return Object.fromEntries(dashboards().map((d) => [`dashboards/generated/${d.uid}.json`, `${JSON.stringify(d, null, 2)}\n`]));
}
