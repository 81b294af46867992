/**
 * Metrics every exporter emits about itself: which build runs, and which
 * requests it turned away and why.
 */
import { defineCatalog, familiesOf } from './catalog.js';
import type { MetricSource, SampleWriter } from './exposition.js';

export const selfCatalog = defineCatalog('core', {
  fleetwatch_build_info: {
    type: 'gauge',
    help: 'Always 1; the exporter and the fleetwatch version running it.',
    labels: ['exporter', 'version'],
    cardinality: 'one per exporter',
  },
  fleetwatch_rejected_requests_total: {
    type: 'counter',
    help: 'Requests or inputs refused as malformed, unauthorised or too large, by reason.',
    labels: ['exporter', 'reason'],
    cardinality: 'a fixed set of reasons per exporter',
  },
});

/** Counts refused input by a bounded reason (never free text). */
export class Rejections {
  private readonly counts = new Map<string, number>();

  count(reason: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  get(reason: string): number {
    return this.counts.get(reason) ?? 0;
  }

  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }
}

export class SelfMetrics implements MetricSource {
  readonly families = familiesOf(selfCatalog);

  constructor(
    private readonly exporter: string,
    private readonly version: string,
    readonly rejections: Rejections,
  ) {}

  collect(w: SampleWriter): void {
    w.sample(selfCatalog.fleetwatch_build_info, [this.exporter, this.version], 1);
    for (const [reason, n] of this.rejections.entries()) {
      w.sample(selfCatalog.fleetwatch_rejected_requests_total, [this.exporter, reason], n);
    }
  }
}
