/**
 * PromQL read with Prometheus's own grammar (@prometheus-io/lezer-promql, the
 * parser of Prometheus's UI): syntax errors, and which metrics a query reads.
 */
import { parser } from '@prometheus-io/lezer-promql';

/** Grafana's variables replaced with values a PromQL parser accepts. */
export function withoutGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
    .replace(/\$\{?__range_s\}?/g, '300')
    .replace(/\$\{(\w+)(?::\w+)?\}/g, 'var_$1')
    .replace(/\$(\w+)/g, 'var_$1');
}

export interface PromqlReading {
  errors: string[];
  metrics: string[];
  /** Each selector's metric and the label names it matches on. */
  selectors: Array<{ metric: string; labels: string[] }>;
}

export function readPromql(expr: string): PromqlReading {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: PromqlReading['selectors'] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) errors.push(`syntax error at ${cursor.from}: …${expr.slice(Math.max(0, cursor.from - 20), cursor.from + 20)}…`);
    if (cursor.name === 'VectorSelector') {
      const node = cursor.node.getChild('Identifier');
      const matchers = cursor.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
      const labels = matchers.flatMap((m) => {
        const name = m.getChild('LabelName');
        return name ? [expr.slice(name.from, name.to)] : [];
      });
      if (node) selectors.push({ metric: expr.slice(node.from, node.to), labels });
    }
  } while (cursor.next());
  return { errors, metrics: [...new Set(selectors.map((s) => s.metric))], selectors };
}
