/**
 * Alert and recording rules as code. Each alert carries its own promtool
 * unit tests (a case where it fires and a near miss where it must not), so a
 * rule cannot land without proof of both.
 */
export type Severity = 'critical' | 'warning' | 'info';
export type Domain = 'collectors' | 'connectors' | 'healthsync' | 'butler' | 'fleetwatch';

/** One input series of a promtool test, in its expanding notation (`0+1x10`, `1x30`, `_`, `stale`). */
export interface SeriesInput {
  series: string;
  values: string;
}

export interface FiringCase {
  /** Sample spacing; default 1m. */
  interval?: string;
  series: SeriesInput[];
  /** When the alert is evaluated, e.g. `15m`. */
  at: string;
  /** The alert's labels beyond alertname, severity and domain. */
  labels: Record<string, string>;
  /** The description as rendered for this case. */
  description: string;
}

export interface NearMissCase {
  interval?: string;
  series: SeriesInput[];
  at: string;
  /** Why this must not fire, for the test name. */
  why: string;
}

export interface AlertRule {
  /** CamelCase, with the domain's prefix (Collector…, Connector…, HealthSync…, Butler…, Fleetwatch…). */
  alert: string;
  expr: string;
  /** How long the condition must hold; say why in the runbook. */
  for: string;
  severity: Severity;
  /** Static: no templates, a capital letter and a final period. */
  summary: string;
  /** Templated with the entity and the value. */
  description: string;
  /** Where to look: a generated dashboard's uid, and which of its variables to fill from which labels. */
  dashboard: { uid: string; vars?: Record<string, string> };
  /** Extra labels; severity and domain are added. */
  labels?: Record<string, string>;
  /** The expression gives each alert its own `domain` (an exporter down names the domain it blinds), instead of the group's. */
  domainFromSeries?: true;
  fires: FiringCase;
  nearMiss: NearMissCase;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  domain: Domain;
  /** Evaluation interval; default the server's. */
  interval?: string;
  recording?: RecordingRule[];
  alerts: AlertRule[];
}
