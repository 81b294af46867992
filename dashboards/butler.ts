/** fleetwatch / Butler — placeholder until the butler exporter's dashboard is written. */
import { fleetDashboard, type Panel } from './lib/dashboard.js';
import { stat, UP_DOWN } from './lib/panels.js';
import { DASHBOARD_UIDS } from './uids.js';

const exporterUp = () =>
  stat({ title: 'Exporter up', unit: 'none', thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }], mappings: UP_DOWN, span: 6, height: 4, queries: [{ expr: 'up{job="fleetwatch-butler"}' }] });

export function butlerOverview(): Panel[] {
  return [exporterUp()];
}

export function butlerDashboard() {
  return fleetDashboard({
    uid: DASHBOARD_UIDS.butler,
    title: 'fleetwatch / Butler',
    description: 'Butler.',
    tags: ['butler'],
    sections: [{ title: 'Exporter', panels: [exporterUp()] }],
  });
}
