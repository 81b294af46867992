/**
 * The generated dashboards: stable uids, every panel with a unit, thresholds
 * and the data source variable, and every query valid PromQL (Prometheus's
 * own parser, and promtool) reading only metrics the catalogs declare.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { requireBinary, run } from '../test/support/binaries.js';
import { tempDir } from '../test/support/exporter.js';
import { knownMetricNames } from '../test/support/known-metrics.js';
import { readPromql, withoutGrafanaVariables } from '../test/support/promql.js';
import { dashboards } from './index.js';
import { DASHBOARD_UIDS } from './uids.js';

interface PanelJson {
  id?: number;
  type: string;
  title?: string;
  datasource?: { uid?: string };
  gridPos?: { x: number; w: number };
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps?: unknown[] } } };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
}

const all = dashboards();
const panels = all.flatMap((d) => ((d.panels ?? []) as PanelJson[]).filter((p) => p.type !== 'row').map((p) => ({ dashboard: d.uid!, p })));
const queries = panels.flatMap(({ dashboard, p }) => (p.targets ?? []).map((t) => ({ where: `${dashboard} / ${p.title}`, expr: t.expr ?? '' })));

describe('dashboards', () => {
  it('have the stable uids, unique titles, and the Prometheus data source variable', () => {
    expect(all.map((d) => d.uid).sort()).toEqual(Object.values(DASHBOARD_UIDS).sort());
    expect(new Set(all.map((d) => d.title)).size).toBe(all.length);
    for (const d of all) {
      const ds = d.templating?.list?.find((v) => v.name === 'datasource');
      expect(ds?.type, d.uid).toBe('datasource');
      expect(ds?.query).toBe('prometheus');
      const ids = (d.panels ?? []).map((p) => (p as PanelJson).id);
      expect(new Set(ids).size, `${d.uid}: panel ids are unique`).toBe(ids.length);
    }
  });

  it('the overview links to every domain dashboard', () => {
    const overview = JSON.stringify(all.find((d) => d.uid === DASHBOARD_UIDS.overview));
    for (const d of all) if (d.uid !== DASHBOARD_UIDS.overview) expect(overview, d.uid).toContain(`/d/${d.uid}`);
  });

  it.each(panels.map(({ dashboard, p }) => [`${dashboard} / ${p.title}`, p] as const))('%s: unit, thresholds, data source, targets, fits the grid', (_name, p) => {
    expect(p.title).toBeTruthy();
    expect(p.fieldConfig?.defaults?.unit).toBeTruthy();
    expect(p.fieldConfig?.defaults?.thresholds?.steps?.length).toBeGreaterThan(0);
    expect(p.datasource?.uid).toBe('${datasource}');
    expect(p.targets?.length).toBeGreaterThan(0);
    for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe('${datasource}');
    expect(p.gridPos!.x + p.gridPos!.w).toBeLessThanOrEqual(24);
  });
});

describe('panel queries', () => {
  const known = knownMetricNames();

  it.each(queries.map((q) => [q.where, q.expr] as const))('%s parses and reads only catalog metrics', (_where, expr) => {
    const { errors, metrics } = readPromql(withoutGrafanaVariables(expr));
    expect(errors, expr).toEqual([]);
    expect(metrics.length).toBeGreaterThan(0);
    for (const m of metrics) expect(known.has(m), `${m} is not in any catalog nor a recording rule`).toBe(true);
  });

  it('promtool accepts every query (as a recording rule)', () => {
    const file = join(tempDir(), 'panel-queries.yml');
    const rules = queries.map((q, i) => ({ record: `panel_query_${i}`, expr: withoutGrafanaVariables(q.expr) }));
    writeFileSync(file, stringify({ groups: [{ name: 'panels', rules }] }));
    const r = run(requireBinary('promtool'), ['check', 'rules', file]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('query variables read catalog metrics through the data source variable', () => {
    for (const d of all) {
      for (const v of d.templating?.list ?? []) {
        if (v.type !== 'query') continue;
        expect((v.datasource as { uid?: string })?.uid).toBe('${datasource}');
        const metric = /label_values\((\w+),/.exec(String(v.query))?.[1];
        expect(metric && known.has(metric), `${d.uid} variable ${v.name}`).toBe(true);
      }
    }
  });
});
