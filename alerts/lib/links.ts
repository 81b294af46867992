/**
 * Where alert links point. Change these two constants to your Grafana and to
 * where your copy of the runbooks is served; `npm run generate` rewrites the rules.
 */
export const GRAFANA_URL = 'http://localhost:3000';
export const RUNBOOK_BASE_URL = 'https://github.com/fleetwatch/fleetwatch/blob/main/alerts/runbooks/';

export function runbookUrl(alert: string): string {
  return `${RUNBOOK_BASE_URL}${alert}.md`;
}

/** A dashboard link whose variables are filled from the alert's labels (as a template). */
export function dashboardUrlTemplate(uid: string, vars: Record<string, string> = {}): string {
  const query = Object.entries(vars).map(([variable, label]) => `var-${variable}={{ $labels.${label} }}`);
  return `${GRAFANA_URL}/d/${uid}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}

/** The same link as Prometheus renders it for the given labels. */
export function dashboardUrl(uid: string, vars: Record<string, string>, labels: Record<string, string>): string {
  const query = Object.entries(vars).map(([variable, label]) => `var-${variable}=${labels[label] ?? ''}`);
  return `${GRAFANA_URL}/d/${uid}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}
