/** The frame every fleetwatch dashboard shares: data source variable, links to the others, refresh, ids. */
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  TextBoxVariableBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import type { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import type { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import type { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { DATASOURCE } from './panels.js';

/** The data source uid the stack provisions (stack/grafana/provisioning/datasources). */
export const PROMETHEUS_UID = 'prometheus';

export type Panel = StatBuilder | TimeseriesBuilder | TableBuilder | StateTimelineBuilder;

export interface Section {
  title: string;
  panels: Panel[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  variables?: Array<QueryVariableBuilder | TextBoxVariableBuilder>;
  sections: Section[];
}

/** A multi-value variable over a label's values in one metric, "All" by default. */
export function labelVariable(name: string, label: string, metric: string, description: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .query(`label_values(${metric}, ${name})`)
    .datasource(DATASOURCE)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

/** A free-text regex filter, for labels with too many values to list (collector ids). */
export function regexVariable(name: string, label: string, description: string): TextBoxVariableBuilder {
  return new TextBoxVariableBuilder(name).label(label).description(description).defaultValue('.*').current({ text: '.*', value: '.*' });
}

export function fleetDashboard(spec: DashboardSpec): Dashboard {
  const b = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['fleetwatch', ...spec.tags])
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(new DashboardLinkBuilder('fleetwatch').type(DashboardLinkType.Dashboards).tags(['fleetwatch']).asDropdown(false).keepTime(true).includeVars(false))
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus').current({ text: 'Prometheus', value: PROMETHEUS_UID }));
  for (const v of spec.variables ?? []) b.withVariable(v);
  for (const section of spec.sections) {
    b.withRow(new RowBuilder(section.title));
    for (const panel of section.panels) b.withPanel(panel);
  }
  const dashboard = b.build();
  // Stable panel ids, in layout order: links to a panel (viewPanel=…) keep working.
  dashboard.panels?.forEach((p, i) => {
    p.id = i + 1;
  });
  return dashboard;
}
