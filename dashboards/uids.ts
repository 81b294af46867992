/** Stable dashboard uids: alert links and provisioning depend on them never changing. */
export const DASHBOARD_UIDS = {
  overview: 'fleetwatch-overview',
  collectors: 'fleetwatch-collectors',
  connectors: 'fleetwatch-connectors',
  healthsync: 'fleetwatch-healthsync',
  butler: 'fleetwatch-butler',
} as const;
