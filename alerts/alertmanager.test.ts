/**
 * The Alertmanager configuration: amtool accepts it, each route goes where it
 * should (amtool config routes test), and each inhibition silences what it
 * should in a real Alertmanager.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, type RunningAlertmanager } from '../test/support/alertmanager.js';
import { requireBinary, run } from '../test/support/binaries.js';
import { alertmanagerArtifacts, INHIBITIONS, renderAlertmanagerConfig } from './alertmanager.js';
import { RULE_GROUPS } from './index.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const files = Object.keys(alertmanagerArtifacts());

describe('amtool', () => {
  it.each(files)('check-config: %s', (file) => {
    const r = run(requireBinary('amtool'), ['check-config', root + file]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });

  const routes: Array<[string, string[]]> = [
    ['pager', ['severity=critical', 'domain=collectors', 'alertname=CollectorFleetDisconnected']],
    ['pager', ['severity=critical', 'domain=fleetwatch', 'alertname=FleetwatchExporterDown']],
    ['ticket', ['severity=warning', 'domain=connectors', 'alertname=ConnectorNotReady']],
    ['blackhole', ['severity=info', 'domain=healthsync']],
    ['ticket', ['alertname=SomethingUnlabelled']],
  ];
  it.each(files.flatMap((f) => routes.map(([receiver, labels]) => [f, receiver, labels] as const)))('routes test: %s sends %s to %s', (file, receiver, labels) => {
    const r = run(requireBinary('amtool'), ['config', 'routes', 'test', `--config.file=${root}${file}`, `--verify.receivers=${receiver}`, ...labels]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe('inhibitions, in a real Alertmanager', () => {
  let am: RunningAlertmanager;
  beforeAll(async () => {
    am = await startAlertmanager(renderAlertmanagerConfig({ routingKeyFile: '/dev/null', pagerDutyUrl: 'http://127.0.0.1:9/v2/enqueue', ticketWebhookUrl: 'http://127.0.0.1:9/tickets' }));
  });
  afterAll(async () => {
    await am?.stop();
  });

  /** Matchers like `alertname="X"` → labels that satisfy them. */
  function labelsFor(matchers: string[], common: Record<string, string>): Record<string, string> {
    const labels = { ...common };
    for (const m of matchers) {
      const [, name, op, value] = /^(\w+)(!?=~?)"(.*)"$/.exec(m)!;
      if (op === '=') labels[name!] = value!;
      else if (op === '=~') labels[name!] ??= value!.split('|')[0]!.replace('.+', 'Something');
      // a negative matcher is satisfied by whatever the positive ones chose
    }
    return labels;
  }

  it.each(INHIBITIONS.map((i, n) => [i.why, i, n] as const))('%s', async (_why, rule, n) => {
    // A domain and job of their own per case, so alerts left by one case cannot silence another's.
    const common = { severity: 'critical', domain: `case-${n}`, job: `fleetwatch-case-${n}`, connector: 'pg', instance: 'x:1', stream: 'urn:health:s:t', sub_stream: 'a' };
    const source = labelsFor(rule.source, common);
    const target = labelsFor(rule.target, { ...common, severity: 'warning' });
    const bystander = { ...target, ...Object.fromEntries(rule.equal.map((l) => [l, `other-${l}`])) };
    const post = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([source, target, bystander].map((labels) => ({ labels, annotations: { summary: 's' } }))),
    });
    expect(post.status).toBe(200);
    // The API lists alerts with their inhibition state; poll until all three are in.
    type Listed = { labels: Record<string, string>; status: { inhibitedBy: string[] } };
    const same = (a: Listed, labels: Record<string, string>) => Object.keys(labels).length === Object.keys(a.labels).length && Object.entries(labels).every(([k, v]) => a.labels[k] === v);
    let listed: Listed[] = [];
    const find = (labels: Record<string, string>) => listed.find((a) => same(a, labels));
    for (let i = 0; i < 100 && ![source, target, bystander].every(find); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      listed = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Listed[];
    }
    expect(find(target)?.status.inhibitedBy.length, 'the target is silenced').toBeGreaterThan(0);
    expect(find(source)?.status.inhibitedBy, 'the source still pages').toEqual([]);
    expect(find(bystander)?.status.inhibitedBy, 'an alert on another entity is not silenced').toEqual([]);
  });
});

describe('inhibitions, against the rules', () => {
  // The labels each alert carries when it fires, as its promtool firing case has them.
  const fired = RULE_GROUPS.flatMap((g) => g.alerts.map((a) => ({ alertname: a.alert, severity: a.severity, ...(a.domainFromSeries ? {} : { domain: g.domain }), ...a.fires.labels })));
  const satisfies = (labels: Record<string, string>, matchers: string[]) =>
    matchers.every((m) => {
      const [, name, op, value] = /^(\w+)(=~|!=|=)"(.*)"$/.exec(m)!;
      const actual = labels[name!] ?? '';
      if (op === '=') return actual === value;
      if (op === '!=') return actual !== value;
      return new RegExp(`^(?:${value})$`).test(actual);
    });

  it.each(INHIBITIONS.map((i) => [i.why, i] as const))('%s: a real source and a real target agree on %s', (_why, rule) => {
    const sources = fired.filter((l) => satisfies(l, rule.source));
    const targets = fired.filter((l) => satisfies(l, rule.target));
    expect(sources.length, 'some alert is the source').toBeGreaterThan(0);
    expect(targets.length, 'some alert is a target').toBeGreaterThan(0);
    const agree = (s: Record<string, string>, t: Record<string, string>) => rule.equal.every((l) => s[l] !== undefined && s[l] === t[l]);
    expect(sources.some((s) => targets.some((t) => agree(s, t))), `no source and target carry equal ${rule.equal.join(', ')}`).toBe(true);
  });
});
