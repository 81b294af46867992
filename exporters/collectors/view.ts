/**
 * Reads the fleet model and writes the collectors catalog. Per-collector
 * series are written as entity blocks, so unchanged collectors cost a string
 * copy at scrape time; how many per-collector series there are is a setting
 * for very large fleets, while the fleet families always stay.
 */
import { toSeconds } from '../core/clock.js';
import { familiesOf } from '../core/catalog.js';
import type { MetricSource, SampleWriter } from '../core/exposition.js';
import { collectorsCatalog as c } from './catalog.js';
import { edgeKey, type FleetModel } from './model.js';
import type { SourceName } from './observations.js';
import { isLegal, START, STATES, type FromState } from './states.js';

export type PerCollectorSeries = 'all' | 'current' | 'none';

export class CollectorsView implements MetricSource {
  readonly families = familiesOf(c);

  constructor(
    private readonly model: FleetModel,
    private readonly perCollector: PerCollectorSeries,
    private readonly enabledSources: readonly SourceName[],
  ) {}

  collect(w: SampleWriter): void {
    const m = this.model;
    if (this.perCollector !== 'none') {
      for (const r of m.all()) {
        w.entity(r.id, m.version(r.id), (e) => {
          e.sample(c.collector_info, [r.id, r.name, r.version, r.host, r.source], 1);
          for (const state of STATES) {
            if (this.perCollector === 'all' || state === r.state) e.sample(c.collector_state, [r.id, state], state === r.state ? 1 : 0);
          }
          e.sample(c.collector_state_since_timestamp_seconds, [r.id], toSeconds(r.since));
          if (r.lastSeen > 0) e.sample(c.collector_last_seen_timestamp_seconds, [r.id], toSeconds(r.lastSeen));
        });
      }
    }
    for (const state of STATES) w.sample(c.collector_fleet_state, [state], m.fleetCount(state));
    // Every edge is written from the start, at 0 until it happens, so that
    // increase() sees the first transition too (a new series has no prior sample).
    for (const from of [START, ...STATES] as FromState[]) {
      for (const to of STATES) {
        if (from === to) continue;
        const legal = isLegal(from, to);
        const counted = (legal ? m.transitions : m.illegalTransitions).get(edgeKey(from, to))?.count ?? 0;
        w.sample(legal ? c.collector_state_transitions_total : c.collector_illegal_transitions_total, [from, to], counted);
      }
    }
    for (const source of this.enabledSources) {
      const health = m.sources.get(source);
      w.sample(c.collector_source_up, [source], health?.up ? 1 : 0);
      if (health?.lastSuccess !== undefined) w.sample(c.collector_source_last_success_timestamp_seconds, [source], toSeconds(health.lastSuccess));
    }
    if (this.enabledSources.includes('opamp')) {
      // Known label values are written from the start, at 0, like the transitions.
      for (const transport of ['http', 'websocket']) w.sample(c.collector_opamp_messages_total, [transport], m.opampMessages.get(transport) ?? 0);
      w.sample(c.collector_opamp_websocket_connections, [], m.openSocketCount);
      for (const reason of ['unknown', 'sequence_gap']) w.sample(c.collector_opamp_full_state_requests_total, [reason], m.fullStateRequests.get(reason) ?? 0);
    }
    for (const [status, n] of m.unknownStatuses) w.sample(c.collector_bindplane_unknown_status_total, [String(status)], n);
  }
}
