/** Alerts on fleetwatch itself: an exporter that is down blinds its whole domain. */
import { DASHBOARD_UIDS } from '../../dashboards/uids.js';
import { duration } from '../lib/time.js';
import type { RuleGroup } from '../lib/types.js';

/** The Prometheus job of each exporter is `fleetwatch-<domain>` (stack/prometheus). */
export const EXPORTER_JOBS = ['collectors', 'connectors', 'healthsync', 'butler'].map((d) => `fleetwatch-${d}`);

export const fleetwatchRules: RuleGroup = {
  name: 'fleetwatch-exporters',
  domain: 'fleetwatch',
  alerts: [
    {
      alert: 'FleetwatchExporterDown',
      // The domain label (from the job) lets Alertmanager silence that domain's alerts while its exporter is down.
      domainFromSeries: true,
      expr: `label_replace(up{job=~"fleetwatch-(collectors|connectors|healthsync|butler)"} == 0, "domain", "$1", "job", "fleetwatch-(.+)")`,
      for: duration('5m'),
      severity: 'critical',
      summary: 'A fleetwatch exporter is down; its domain is not monitored.',
      description: 'The {{ $labels.domain }} exporter at {{ $labels.instance }} has not been scraped successfully for 5 minutes (up = {{ $value }}).',
      dashboard: { uid: DASHBOARD_UIDS.overview },
      fires: {
        series: [{ series: 'up{job="fleetwatch-connectors",instance="connectors:9811"}', values: '1 0 0 0 0 0 0 0' }],
        at: '7m',
        labels: { job: 'fleetwatch-connectors', instance: 'connectors:9811', domain: 'connectors' },
        description: 'The connectors exporter at connectors:9811 has not been scraped successfully for 5 minutes (up = 0).',
      },
      nearMiss: {
        series: [{ series: 'up{job="fleetwatch-connectors",instance="connectors:9811"}', values: '1 0 0 1 1 0 0 1' }],
        at: '7m',
        why: 'two short scrape failures',
      },
    },
  ],
};
