/**
 * End to end, with the real Prometheus and Alertmanager: the exporters and the
 * fleet simulator on loopback, the same rules sped up 30 times (every window,
 * `for` and threshold), and the local pager standing in for PagerDuty. With no
 * fault nothing pages; each injected fault's alert reaches the pager (critical,
 * as a checked Events v2 page) or the ticket webhook (warning), and resolves
 * once the fault is cleared; fleet-wide faults page once; a dead exporter
 * pages. Prints the time from fault to notification for each alert.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderAlertmanagerConfig } from '../../alerts/alertmanager.js';
import { RULE_GROUPS } from '../../alerts/index.js';
import { ruleFile } from '../../alerts/lib/render.js';
import { dashboards } from '../../dashboards/index.js';
import { systemClock } from '../../exporters/core/clock.js';
import { silentLogger } from '../../exporters/core/log.js';
import type { FaultSpec } from '../../sim/lib/types.js';
import { LocalPager } from '../../sim/pager/pager.js';
import { startLocalStack, type LocalStack, type Ports } from '../../scripts/local-stack.js';
import { tempDir } from '../support/exporter.js';
import { freePort } from '../support/ports.js';
import { readPromql, withoutGrafanaVariables } from '../support/promql.js';
import { e2eOverlay, TIME_SCALE } from './e2e-config.js';
import { Notifications } from './notifications.js';

const ROUTING_KEY = 'e2e0routing0key0000000000000000a';
const SEVERITY = new Map(RULE_GROUPS.flatMap((g) => g.alerts.map((a) => [a.alert, a.severity] as const)));
const SUMMARY = new Map(RULE_GROUPS.flatMap((g) => g.alerts.map((a) => [a.alert, a.summary] as const)));
/** The longest an alert may take: its scaled threshold and `for` (2 min for the 1 h ones), plus scrapes and Alertmanager. */
const ALERT_TIMEOUT_MS = 5 * 60_000;
/** How long the untouched fleet must stay quiet: 30 minutes of the scaled rules. */
const QUIET_MS = 60_000;
/** What each fleet-wide fault also causes, which Alertmanager must keep from reaching anyone. */
const SILENCED: Record<string, string[]> = {
  'collector-fleet-disconnect': ['CollectorDisconnected'],
  'connector-no-ready-instance': ['ConnectorInstanceNotReady'],
  // Central and states sub streams have no expiry and stay late; the hosts' expire.
  'healthsync-many-late': ['HealthSyncSubStreamLate', 'HealthSyncSubStreamExpired'],
  'healthsync-tee-spool-filling': ['HealthSyncTeeDeliveryStalled'],
};

interface Timing {
  fault: string;
  alert: string;
  severity: string;
  channel: string;
  notifiedAt: number;
  notifiedAfterS?: number;
  resolvedAfterS?: number;
}

let stack: LocalStack;
let pager: LocalPager;
let notes: Notifications;
let faults: Array<FaultSpec & { domain: string }>;
let prometheus: string;
let simulator: string;
const timings: Timing[] = [];

/** Metrics whose series appear only with a problem that no simulated fault causes. */
const ONLY_ON_A_PROBLEM_NO_FAULT_CAUSES = [
  'collector_bindplane_unknown_status_total', // one series per status code the status map does not know
];

async function allPorts(): Promise<Ports> {
  const names = ['collectors', 'opamp', 'connectors', 'healthsync', 'butler', 'sim', 'pager', 'prometheus', 'alertmanager'] as const;
  const entries = await Promise.all(names.map(async (n) => [n, await freePort()] as const));
  return Object.fromEntries(entries) as unknown as Ports;
}

async function promQuery(query: string): Promise<Array<{ metric: Record<string, string> }>> {
  const body = (await (await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as { data: { result: Array<{ metric: Record<string, string> }> } };
  return body.data.result;
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const firingSeries = async (alert: string) => (await promQuery(`ALERTS{alertstate="firing",alertname="${alert}"}`)).map((r) => JSON.stringify(r.metric));
const firing = async (alert: string) => (await firingSeries(alert)).length > 0;

/** Waits for an alert to be notified on its channel (info alerts: to fire in Prometheus). */
async function awaitAlert(alert: string, since: number): Promise<number> {
  if (SEVERITY.get(alert) === 'info') {
    await until(`${alert} firing`, () => firing(alert), ALERT_TIMEOUT_MS);
    return Date.now();
  }
  return (await notes.waitFor(alert, 'firing', since, ALERT_TIMEOUT_MS)).at;
}

async function awaitResolved(alert: string, since: number): Promise<number> {
  if (SEVERITY.get(alert) === 'info') {
    await until(`${alert} resolved`, async () => !(await firing(alert)), ALERT_TIMEOUT_MS);
    return Date.now();
  }
  return (await notes.waitFor(alert, 'resolved', since, ALERT_TIMEOUT_MS)).at;
}

const inject = (name: string) => fetch(`${simulator}/faults/${name}`, { method: 'POST' }).then((r) => expect(r.status, name).toBe(201));
const clear = (name: string) => fetch(`${simulator}/faults/${name}`, { method: 'DELETE' }).then((r) => expect(r.status, name).toBe(204));

function checkPage(alert: string, n: { event?: { routing_key: string; event_action: string; dedup_key?: string; payload?: { severity: string; summary: string } } }): void {
  expect(n.event?.routing_key, alert).toBe(ROUTING_KEY);
  expect(n.event?.event_action).toBe('trigger');
  expect(n.event?.dedup_key).toBeTruthy();
  expect(n.event?.payload?.severity).toBe('critical');
  expect(n.event?.payload?.summary).toContain(SUMMARY.get(alert)!);
}

/** Injects faults together, waits for each one's alerts, clears them, waits for the resolves. */
async function runFaults(group: Array<FaultSpec & { domain: string }>): Promise<void> {
  const injectedAt = new Map<string, number>();
  for (const f of group) {
    injectedAt.set(f.name, Date.now());
    await inject(f.name);
  }
  const groupStart = Math.min(...injectedAt.values());
  const expected = group.flatMap((f) => f.alerts.map((alert) => ({ fault: f.name, alert })));
  await Promise.all(
    expected.map(async ({ fault, alert }) => {
      const at = await awaitAlert(alert, injectedAt.get(fault)!);
      const severity = SEVERITY.get(alert) ?? 'unknown';
      timings.push({ fault, alert, severity, channel: severity === 'critical' ? 'page' : severity === 'warning' ? 'ticket' : 'not routed', notifiedAt: at, notifiedAfterS: (at - injectedAt.get(fault)!) / 1000 });
      if (severity === 'critical') checkPage(alert, notes.find(alert, 'firing', injectedAt.get(fault)!)!);
    }),
  );
  // Faults that raise the same alert do so on different entities: one notification must not stand for several.
  const timeLeft = () => Math.max(0, groupStart + ALERT_TIMEOUT_MS - Date.now());
  await Promise.all(
    [...new Set(expected.map((e) => e.alert))].map(async (alert) => {
      const wanted = expected.filter((e) => e.alert === alert).length;
      const found = async () => (SEVERITY.get(alert) === 'info' ? firingSeries(alert) : [...notes.instances(alert, groupStart)]);
      await until(`${wanted} distinct ${alert}`, async () => (await found()).length >= wanted, timeLeft()).catch(async (err: Error) => {
        throw new Error(`${err.message}; found ${JSON.stringify(await found())}`);
      });
    }),
  );
}

async function clearFaults(group: Array<FaultSpec & { domain: string }>): Promise<void> {
  const clearedAt = Date.now();
  for (const f of group) await clear(f.name);
  await Promise.all(
    group.flatMap((f) =>
      f.alerts.map(async (alert) => {
        const t = timings.find((x) => x.fault === f.name && x.alert === alert)!;
        // An alert on a past event (a counter's increase) may have resolved before the clear.
        const at = await awaitResolved(alert, t.notifiedAt);
        t.resolvedAfterS = Math.max(0, at - clearedAt) / 1000;
      }),
    ),
  );
}

beforeAll(async () => {
  const dir = tempDir('fleetwatch-e2e-');
  const ports = await allPorts();
  pager = new LocalPager(systemClock, silentLogger);
  notes = new Notifications(pager);
  await pager.app.listen({ host: '127.0.0.1', port: ports.pager });

  const rules = join(dir, 'rules.yml');
  writeFileSync(rules, ruleFile(RULE_GROUPS, TIME_SCALE));
  const keyFile = join(dir, 'routing-key');
  writeFileSync(keyFile, ROUTING_KEY);
  const alertmanager = renderAlertmanagerConfig({
    routingKeyFile: keyFile,
    pagerDutyUrl: `http://127.0.0.1:${ports.pager}/v2/enqueue`,
    ticketWebhookUrl: `http://127.0.0.1:${ports.pager}/tickets`,
    timing: { groupWait: '1s', pageGroupWait: '1s', groupInterval: '2s', repeatInterval: '1h' },
  });
  const overlay = join(dir, 'e2e.yml');
  writeFileSync(overlay, stringify(await e2eOverlay(dir)));

  stack = await startLocalStack({ dir, ports, overlays: [overlay], ruleFile: rules, prometheusInterval: '1s', alertmanagerConfig: alertmanager, separateExporters: true, externalPager: true });
  prometheus = stack.urls.prometheus!;
  simulator = stack.urls.simulator!;
  faults = ((await (await fetch(`${simulator}/faults`)).json()) as { faults: Array<FaultSpec & { domain: string }> }).faults;
  await until('every scrape target up', async () => (await promQuery('up == 0')).length === 0 && (await promQuery('up')).length >= 5, 60_000);
  // A telemetry fault on an instance not yet heard over OTLP would change nothing: its probes are its heartbeat,
  // and a ping time exists only once a second reading of the ping counter has gone up.
  await until('every probed connector instance heard over OTLP, pings included', async () => {
    const probed = (await promQuery('connector_lifecycle_state_since_timestamp_seconds')).length;
    const heard = await Promise.all(['connector_memory_usage_percent', 'connector_control_plane_last_ping_timestamp_seconds'].map(async (m) => (await promQuery(m)).length));
    return probed > 0 && heard.every((n) => n >= probed);
  }, 60_000);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await pager?.app.close();
  if (timings.length === 0) return;
  const rows = timings.map((t) => `| ${t.fault} | ${t.alert} | ${t.severity} | ${t.channel} | ${t.notifiedAfterS?.toFixed(1) ?? '—'} s | ${t.resolvedAfterS !== undefined ? `${t.resolvedAfterS.toFixed(1)} s` : '—'} |`);
  console.log(
    [
      `\nTime from fault to notification (rules ${1 / TIME_SCALE}× faster than production):\n`,
      '| fault | alert | severity | channel | notified after | resolved after clear |',
      '|---|---|---|---|---:|---:|',
      ...rows,
    ].join('\n'),
  );
}, 120_000);

describe.sequential('end to end: a fault in the fleet becomes a page', () => {
  it('with no fault injected, nothing pages, no ticket opens, and no alert fires', async () => {
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(notes.all.filter((n) => n.status === 'firing')).toEqual([]);
    expect((await promQuery('ALERTS{alertstate="firing"}')).map((r) => r.metric.alertname)).toEqual([]);
  }, QUIET_MS + 30_000);

  it('each fault raises its alert on the right channel, pages carrying a valid Events v2 payload', async () => {
    const shared = faults.filter((f) => !f.exclusive);
    const pagesBefore = notes.all.length;
    await runFaults(shared);
    // No page may come from anything but the faults' own alerts.
    const expected = new Set(shared.flatMap((f) => f.alerts));
    const strayPages = notes.all.slice(pagesBefore).filter((n) => n.channel === 'page' && n.status === 'firing' && n.alerts.some((a) => !expected.has(a)));
    expect(strayPages).toEqual([]);
  }, ALERT_TIMEOUT_MS + 60_000);

  it('every dashboard panel shows data from this Prometheus, reading only metrics and labels it has', async () => {
    const end = Date.now() / 1000;
    const range = `start=${end - 600}&end=${end}`;
    const problems: string[] = [];
    const labelsOf = new Map<string, Set<string>>();
    for (const d of dashboards()) {
      for (const panel of (d.panels ?? []) as Array<{ title?: string; targets?: Array<{ expr?: string }> }>) {
        for (const target of panel.targets ?? []) {
          // Variables at "All" (.*) and Grafana's intervals at the scaled stack's pace.
          const expr = withoutGrafanaVariables(target.expr ?? '').replace(/var_\w+/g, '.*').replace(/\b5m\b/, '10s');
          const where = `${d.title} / ${panel.title}`;
          const body = (await (await fetch(`${prometheus}/api/v1/query_range?query=${encodeURIComponent(expr)}&${range}&step=5`)).json()) as { status: string; error?: string; data?: { result: unknown[] } };
          if (body.status !== 'success' || (body.data?.result.length ?? 0) === 0) problems.push(`${where}: ${body.error ?? 'no data'} (${expr})`);
          // A panel of problems is empty in a healthy fleet and its `or vector(0)` shows 0,
          // which would hide a misspelt metric or label: so each selector must match here.
          for (const { metric, labels } of readPromql(expr).selectors) {
            if (ONLY_ON_A_PROBLEM_NO_FAULT_CAUSES.includes(metric)) continue;
            if (!labelsOf.has(metric)) {
              const found = (await (await fetch(`${prometheus}/api/v1/labels?match[]=${encodeURIComponent(metric)}&${range}`)).json()) as { data: string[] };
              labelsOf.set(metric, new Set(found.data));
            }
            const known = labelsOf.get(metric)!;
            if (known.size === 0) problems.push(`${where}: no series of ${metric}`);
            for (const label of labels.filter((l) => !known.has(l))) problems.push(`${where}: ${metric} has no label ${label}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('clearing the faults resolves their alerts', async () => {
    await clearFaults(faults.filter((f) => !f.exclusive));
  }, ALERT_TIMEOUT_MS + 60_000);

  it('a fleet-wide fault pages once: the per-entity alerts it silences fire in Prometheus but never reach a channel', async () => {
    const exclusive = faults.filter((f) => f.exclusive);
    expect(exclusive.map((f) => f.name).sort()).toEqual(Object.keys(SILENCED).sort());
    for (const fault of exclusive) {
      const since = Date.now();
      await runFaults([fault]);
      for (const silenced of SILENCED[fault.name]!) await until(`${silenced} firing under ${fault.name}`, () => firing(silenced), ALERT_TIMEOUT_MS);
      const others = notes.all.filter((n) => n.at >= since && n.status === 'firing' && n.alerts.some((a) => !fault.alerts.includes(a)));
      expect(others, fault.name).toEqual([]);
      expect(notes.pagesSince(since).size, `${fault.name} pages once`).toBe(1);
      await clearFaults([fault]);
    }
  }, 4 * (2 * ALERT_TIMEOUT_MS + 60_000));

  it('an exporter that dies pages once (FleetwatchExporterDown), and resolves when it is back', async () => {
    const since = Date.now();
    await stack.processes.get('butler')!.stop();
    const page = await notes.waitFor('FleetwatchExporterDown', 'firing', since, ALERT_TIMEOUT_MS);
    checkPage('FleetwatchExporterDown', page);
    expect(notes.pagesSince(since).size, 'one page').toBe(1);
    timings.push({ fault: 'butler exporter stopped', alert: 'FleetwatchExporterDown', severity: 'critical', channel: 'page', notifiedAt: page.at, notifiedAfterS: (page.at - since) / 1000 });
    const restartedAt = Date.now();
    await stack.restart('butler');
    const resolved = await notes.waitFor('FleetwatchExporterDown', 'resolved', restartedAt, ALERT_TIMEOUT_MS);
    timings.at(-1)!.resolvedAfterS = (resolved.at - restartedAt) / 1000;
  }, 2 * ALERT_TIMEOUT_MS);
});
