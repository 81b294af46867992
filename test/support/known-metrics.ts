/** Every metric name a query may read: the catalogs' families, recording rules, and Prometheus's own. */
import { RULE_GROUPS } from '../../alerts/index.js';
import { familiesOf } from '../../exporters/core/catalog.js';
import { selfCatalog } from '../../exporters/core/self-metrics.js';
import { EXPORTERS } from '../../exporters/registry.js';

/** Series Prometheus makes itself: scrape health and the alerts it evaluates. */
const PROMETHEUS_OWN = ['up', 'ALERTS'];

export function knownMetricNames(): Set<string> {
  const known = new Set<string>(PROMETHEUS_OWN);
  for (const f of [...EXPORTERS.flatMap((e) => familiesOf(e.catalog)), ...familiesOf(selfCatalog)]) {
    known.add(f.name);
    if (f.type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) known.add(f.name + suffix);
  }
  for (const g of RULE_GROUPS) for (const r of g.recording ?? []) known.add(r.record);
  return known;
}
