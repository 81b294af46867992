/** fleetwatch / Connectors — placeholder until the connectors exporter's dashboard is written. */
import { fleetDashboard, type Panel } from './lib/dashboard.js';
import { stat, UP_DOWN } from './lib/panels.js';
import { DASHBOARD_UIDS } from './uids.js';

const exporterUp = () =>
  stat({ title: 'Exporter up', unit: 'none', thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }], mappings: UP_DOWN, span: 6, height: 4, queries: [{ expr: 'up{job="fleetwatch-connectors"}' }] });

export function connectorsOverview(): Panel[] {
  return [exporterUp()];
}

export function connectorsDashboard() {
  return fleetDashboard({
    uid: DASHBOARD_UIDS.connectors,
    title: 'fleetwatch / Connectors',
    description: 'Connectors.',
    tags: ['connectors'],
    sections: [{ title: 'Exporter', panels: [exporterUp()] }],
  });
}
