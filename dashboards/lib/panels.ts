/**
 * Panels the way fleetwatch dashboards use them: every panel says its unit
 * and its thresholds (the types make both required), queries the
 * `${datasource}` variable, and explains itself when a newcomer would ask.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { MappingType, ThresholdsConfigBuilder, ThresholdsMode, type ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export interface Query {
  expr: string;
  legend?: string;
  /** One value per series now (stats, tables), instead of a range. */
  instant?: boolean;
  table?: boolean;
}

/** A threshold step: from `value` up, use `color` (the first step's value is null: from -∞). */
export interface Step {
  value: number | null;
  color: string;
}

export interface PanelSpec {
  title: string;
  description?: string;
  unit: string;
  thresholds: Step[];
  queries: Query[];
  span?: number;
  height?: number;
  min?: number;
  max?: number;
  decimals?: number;
  /** Text (and colour) for values: a state code to its name, 1/0 to up/down. */
  mappings?: Record<string, { text: string; color?: string }>;
  noValue?: string;
}

/** Green unless a value reaches `bad` (red); `warn` (orange) in between when given. */
export function goodBelow(bad: number, warn?: number): Step[] {
  return [{ value: null, color: 'green' }, ...(warn !== undefined ? [{ value: warn, color: 'orange' }] : []), { value: bad, color: 'red' }];
}

/** Red until a value reaches `good` (green); `warn` (orange) in between when given. */
export function goodAbove(good: number, warn?: number): Step[] {
  return [{ value: null, color: 'red' }, ...(warn !== undefined ? [{ value: warn, color: 'orange' }] : []), { value: good, color: 'green' }];
}

/** For panels where no value is good or bad (counts, rates, versions). */
export const NEUTRAL: Step[] = [{ value: null, color: 'blue' }];

function thresholds(steps: Step[]) {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps as Array<{ value: number; color: string }>);
}

/** Value → text (and colour) mappings, e.g. a state code to its name. */
export function valueMappings(m: PanelSpec['mappings']): ValueMapping[] {
  if (!m) return [];
  return [{ type: MappingType.ValueToText, options: Object.fromEntries(Object.entries(m).map(([value, r], index) => [value, { ...r, index }])) }];
}

function targets(queries: Query[]) {
  return queries.map((q, i) => {
    const b = new DataqueryBuilder().expr(q.expr).refId(String.fromCharCode(65 + i)).datasource(DATASOURCE);
    if (q.legend) b.legendFormat(q.legend);
    if (q.instant || q.table) b.instant();
    else b.range();
    if (q.table) b.format(PromQueryFormat.Table);
    return b;
  });
}

type AnyPanelBuilder = StatBuilder | TimeseriesBuilder | TableBuilder | StateTimelineBuilder;

function common_<B extends AnyPanelBuilder>(b: B, spec: PanelSpec): B {
  b.title(spec.title).datasource(DATASOURCE).unit(spec.unit).thresholds(thresholds(spec.thresholds)).span(spec.span ?? 6).height(spec.height ?? 6);
  if (spec.description) b.description(spec.description);
  if (spec.min !== undefined) b.min(spec.min);
  if (spec.max !== undefined) b.max(spec.max);
  if (spec.decimals !== undefined) b.decimals(spec.decimals);
  if (spec.mappings) b.mappings(valueMappings(spec.mappings));
  if (spec.noValue) b.noValue(spec.noValue);
  for (const t of targets(spec.queries)) b.withTarget(t);
  return b;
}

export function stat(spec: PanelSpec): StatBuilder {
  return common_(new StatBuilder(), { ...spec, queries: spec.queries.map((q) => ({ instant: true, ...q })) })
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']));
}

export function timeseries(spec: PanelSpec & { stacked?: boolean; bars?: boolean }): TimeseriesBuilder {
  const b = common_(new TimeseriesBuilder(), spec).fillOpacity(spec.stacked ? 60 : 10).lineWidth(1);
  if (spec.stacked) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (spec.bars) b.drawStyle(common.GraphDrawStyle.Bars);
  b.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Off));
  b.legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));
  return b;
}

export function table(spec: PanelSpec & { sortBy?: string; desc?: boolean; hide?: string[] }): TableBuilder {
  const b = common_(new TableBuilder(), { ...spec, queries: spec.queries.map((q) => ({ table: true, ...q })) });
  // Instant table queries come back with Time and __name__ columns nobody needs.
  b.withTransformation({ id: 'organize', options: { excludeByName: Object.fromEntries(['Time', '__name__', ...(spec.hide ?? [])].map((c) => [c, true])) } });
  if (spec.sortBy) b.sortBy([new common.TableSortByFieldStateBuilder().displayName(spec.sortBy).desc(spec.desc ?? true)]);
  return b;
}

export function stateTimeline(spec: PanelSpec): StateTimelineBuilder {
  return common_(new StateTimelineBuilder(), spec).showValue(common.VisibilityMode.Never).mergeValues(true).rowHeight(0.8);
}

/** 1 → up (green), 0 → down (red). */
export const UP_DOWN = { '1': { text: 'up', color: 'green' }, '0': { text: 'down', color: 'red' } };
