/**
 * The generated rules: valid for Prometheus (promtool check rules), proven by
 * their unit tests (promtool test rules), in the house style (the checks
 * mixtool lint and pint would make), with a runbook each, reading only
 * metrics some exporter emits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_UIDS } from '../dashboards/uids.js';
import { requireBinary, run } from '../test/support/binaries.js';
import { knownMetricNames } from '../test/support/known-metrics.js';
import { readPromql } from '../test/support/promql.js';
import { RULE_GROUPS, RULES_FILE, TESTS_FILE } from './index.js';
import { parse } from 'yaml';
import { dashboardUrlTemplate, runbookUrl } from './lib/links.js';
import { ruleFile } from './lib/render.js';
import { resolveTimes } from './lib/time.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const alerts = RULE_GROUPS.flatMap((g) => g.alerts.map((a) => ({ group: g, a })));
const PREFIX = { collectors: 'Collector', connectors: 'Connector', healthsync: 'HealthSync', butler: 'Butler', fleetwatch: 'Fleetwatch' } as const;

describe('promtool', () => {
  it('check rules: the generated rule file is valid', () => {
    const r = run(requireBinary('promtool'), ['check', 'rules', root + RULES_FILE]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('test rules: every alert fires in its case and stays quiet in its near miss', () => {
    const r = run(requireBinary('promtool'), ['test', 'rules', root + TESTS_FILE]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('the unit tests cover every alert, both ways', () => {
    const tests = readFileSync(root + TESTS_FILE, 'utf8');
    for (const { a } of alerts) {
      expect(tests).toContain(`name: ${a.alert} fires`);
      expect(tests).toContain(`${a.alert} near miss`);
    }
  });
});

describe('style (as mixtool lint and pint check it)', () => {
  it('has unique alert names', () => {
    const names = alerts.map(({ a }) => a.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(RULE_GROUPS.map((g) => [g.name, g] as const))('group %s: short name, at most 20 rules', (_n, g) => {
    expect(g.name.length).toBeLessThanOrEqual(40);
    expect((g.recording?.length ?? 0) + g.alerts.length).toBeLessThanOrEqual(20);
  });

  it.each(alerts.map(({ group, a }) => [a.alert, group, a] as const))('%s', (name, group, a) => {
    expect(name).toMatch(/^[A-Z][a-zA-Z0-9]+$/);
    expect(name.startsWith(PREFIX[group.domain]), `${name} should start with ${PREFIX[group.domain]}`).toBe(true);
    expect(name.length).toBeLessThanOrEqual(40);
    expect(['critical', 'warning', 'info']).toContain(a.severity);
    expect(a.summary, 'summary is static').not.toContain('{{');
    expect(a.summary).toMatch(/^[A-Z].*\.$/);
    expect(a.description, 'description names the entity').toMatch(/\{\{ \$labels\.\w+ \}\}/);
    expect(a.description, 'description gives the value').toMatch(/\{\{ \$value[^}]*\}\}/);
    expect(resolveTimes(a.for)).toMatch(/^\d+[smh]$/);
    expect(Object.values(DASHBOARD_UIDS)).toContain(a.dashboard.uid);
    expect(dashboardUrlTemplate(a.dashboard.uid, a.dashboard.vars)).toMatch(/^https?:\/\//);
    expect(runbookUrl(name).endsWith(`/alerts/runbooks/${name}.md`)).toBe(true);
  });
});

describe('runbooks', () => {
  it.each(alerts.map(({ a }) => [a.alert] as const))('%s has a runbook that says what it means, the impact, how to diagnose and mitigate', (name) => {
    const path = `${root}alerts/runbooks/${name}.md`;
    expect(existsSync(path), `alerts/runbooks/${name}.md is missing`).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith(`# ${name}\n`)).toBe(true);
    for (const section of ['## Meaning', '## Impact', '## Diagnosis', '## Mitigation']) expect(text, `${name}: ${section}`).toContain(section);
    expect(text, 'the runbook points at a dashboard').toMatch(/fleetwatch \/ \w+/);
  });
});

describe('queries', () => {
  const known = knownMetricNames();

  const exprs = RULE_GROUPS.flatMap((g) => [...(g.recording ?? []).map((r) => [r.record, resolveTimes(r.expr)] as const), ...g.alerts.map((a) => [a.alert, resolveTimes(a.expr)] as const)]);
  it.each(exprs)('%s parses and reads only metrics the catalogs declare', (_name, expr) => {
    const { errors, metrics } = readPromql(expr);
    expect(errors).toEqual([]);
    expect(metrics.length).toBeGreaterThan(0);
    for (const m of metrics) expect(known.has(m), `${m} is not in any catalog nor a recording rule`).toBe(true);
  });
});

describe('time in rules', () => {
  // Rendered 60 times faster, no window, offset or `for` may be left over a minute (the longest
  // in the rules is an hour): one that is was written without duration() and would not speed up
  // in the end-to-end test.
  const fast = parse(ruleFile(RULE_GROUPS, 1 / 60)) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string; for?: string }> }> };
  const rules = fast.groups.flatMap((g) => g.rules);
  const toSeconds = (d: string) => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(d)!;
    return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!]!;
  };
  it.each(rules.map((r) => [r.alert ?? r.record!, r] as const))('%s speeds up with the time scale', (_name, r) => {
    if (r.for) expect(toSeconds(r.for), `for ${r.for}`).toBeLessThanOrEqual(60);
    for (const d of r.expr.match(/(?<=\[|offset |:)\d+(?:\.\d+)?(?:ms|s|m|h|d)\b/g) ?? []) expect(toSeconds(d), `${d} in ${r.expr}`).toBeLessThanOrEqual(60);
  });
});
