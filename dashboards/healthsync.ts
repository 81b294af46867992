/** fleetwatch / Health sync — placeholder until the healthsync exporter's dashboard is written. */
import { fleetDashboard, type Panel } from './lib/dashboard.js';
import { stat, UP_DOWN } from './lib/panels.js';
import { DASHBOARD_UIDS } from './uids.js';

const exporterUp = () =>
  stat({ title: 'Exporter up', unit: 'none', thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }], mappings: UP_DOWN, span: 6, height: 4, queries: [{ expr: 'up{job="fleetwatch-healthsync"}' }] });

export function healthsyncOverview(): Panel[] {
  return [exporterUp()];
}

export function healthsyncDashboard() {
  return fleetDashboard({
    uid: DASHBOARD_UIDS.healthsync,
    title: 'fleetwatch / Health sync',
    description: 'Health sync.',
    tags: ['healthsync'],
    sections: [{ title: 'Exporter', panels: [exporterUp()] }],
  });
}
