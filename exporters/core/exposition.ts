/**
 * How a view hands its samples out, and the Prometheus text rendering of them.
 *
 * A view writes samples into a SampleWriter. Per-entity samples go inside
 * `entity(key, version, write)`: the text writer keeps each entity's rendered
 * lines and reuses them while the entity's version is unchanged, so a scrape
 * of a large fleet is mostly string concatenation (the kube-state-metrics
 * design). The OTLP writer (otlp.ts) ignores the cache and reads everything.
 */
import type { Family } from './catalog.js';
import type { HistogramData } from './histogram.js';
import { header, histogramLines, sampleLine } from './text-format.js';

export interface SampleWriter {
  /** A gauge or counter sample; label values in the family's label order. */
  sample(family: Family, labelValues: readonly string[], value: number): void;
  histogram(family: Family, labelValues: readonly string[], data: HistogramData): void;
  /**
   * The samples of one entity. `write` is only called when the entity's
   * version differs from the one last rendered; keep `now`-dependent values
   * out of entity blocks.
   */
  entity(key: string, version: number, write: (w: SampleWriter) => void): void;
}

/** What a view (or the self metrics) implements. */
export interface MetricSource {
  readonly families: readonly Family[];
  collect(w: SampleWriter, now: number): void;
}

interface RenderedEntity {
  version: number;
  generation: number;
  /** Family index and rendered lines, in the order written. */
  parts: Array<[number, string]>;
}

/** Renders the families of several sources as one Prometheus text document. */
export class TextExposition {
  private readonly families: Family[];
  private readonly index = new Map<Family, number>();
  private readonly cache = new Map<string, RenderedEntity>();
  private generation = 0;

  constructor(private readonly sources: readonly MetricSource[]) {
    this.families = sources.flatMap((s) => s.families);
    this.families.forEach((f, i) => {
      if (this.index.has(f)) throw new Error(`family ${f.name} is declared twice`);
      this.index.set(f, i);
    });
  }

  render(now: number): string {
    const generation = ++this.generation;
    const bodies: string[][] = this.families.map(() => []);
    const familyIndex = (family: Family): number => {
      const i = this.index.get(family);
      if (i === undefined) throw new Error(`family ${family.name} is not in the catalog of any source`);
      return i;
    };

    const writer: SampleWriter = {
      sample: (family, labels, value) => void bodies[familyIndex(family)]!.push(sampleLine(family, labels, value)),
      histogram: (family, labels, data) => void bodies[familyIndex(family)]!.push(histogramLines(family, labels, data)),
      entity: (key, version, write) => {
        let rendered = this.cache.get(key);
        if (!rendered || rendered.version !== version) {
          const parts: Array<[number, string]> = [];
          write({
            sample: (family, labels, value) => void parts.push([familyIndex(family), sampleLine(family, labels, value)]),
            histogram: (family, labels, data) => void parts.push([familyIndex(family), histogramLines(family, labels, data)]),
            entity: () => {
              throw new Error('entities do not nest');
            },
          });
          rendered = { version, generation, parts };
          this.cache.set(key, rendered);
        }
        rendered.generation = generation;
        for (const [i, text] of rendered.parts) bodies[i]!.push(text);
      },
    };

    for (const source of this.sources) source.collect(writer, now);

    // Entities not written this time are gone from the model: forget them.
    for (const [key, rendered] of this.cache) {
      if (rendered.generation !== generation) this.cache.delete(key);
    }

    let out = '';
    this.families.forEach((family, i) => {
      out += header(family) + bodies[i]!.join('');
    });
    return out;
  }
}
