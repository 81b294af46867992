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
  /** The entity's lines, encoded once, one chunk per family it writes to: families[i] gets chunks[i]. */
  families: number[];
  chunks: Buffer[];
}

/** Renders the families of several sources as one Prometheus text document. */
export class TextExposition {
  private readonly families: Family[];
  private readonly index = new Map<Family, number>();
  private readonly headers: Buffer[];
  private readonly cache = new Map<string, RenderedEntity>();
  private generation = 0;

  constructor(private readonly sources: readonly MetricSource[]) {
    this.families = sources.flatMap((s) => s.families);
    this.headers = this.families.map((f) => Buffer.from(header(f)));
    this.families.forEach((f, i) => {
      if (this.index.has(f)) throw new Error(`family ${f.name} is declared twice`);
      this.index.set(f, i);
    });
  }

  private familyIndex(family: Family): number {
    const i = this.index.get(family);
    if (i === undefined) throw new Error(`family ${family.name} is not in the catalog of any source`);
    return i;
  }

  /** Runs an entity's writer, keeping its lines grouped by family. */
  private renderEntity(version: number, generation: number, write: (w: SampleWriter) => void): RenderedEntity {
    const families: number[] = [];
    const lines: string[][] = [];
    const append = (family: Family, text: string) => {
      const i = this.familyIndex(family);
      const at = families.indexOf(i);
      if (at >= 0) lines[at]!.push(text);
      else {
        families.push(i);
        lines.push([text]);
      }
    };
    write({
      sample: (family, labels, value) => append(family, sampleLine(family, labels, value)),
      histogram: (family, labels, data) => append(family, histogramLines(family, labels, data)),
      entity: () => {
        throw new Error('entities do not nest');
      },
    });
    // Encoded once here, so a scrape only copies bytes (no string joins, no re-encoding).
    return { version, generation, families, chunks: lines.map((l) => Buffer.from(l.join(''))) };
  }

  /** The whole document, as the bytes to send. */
  render(now: number): Buffer {
    const generation = ++this.generation;
    const bodies: Buffer[][] = this.families.map(() => []);
    const cache = this.cache;

    const writer: SampleWriter = {
      sample: (family, labels, value) => void bodies[this.familyIndex(family)]!.push(Buffer.from(sampleLine(family, labels, value))),
      histogram: (family, labels, data) => void bodies[this.familyIndex(family)]!.push(Buffer.from(histogramLines(family, labels, data))),
      entity: (key, version, write) => {
        let rendered = cache.get(key);
        if (rendered === undefined || rendered.version !== version) {
          rendered = this.renderEntity(version, generation, write);
          cache.set(key, rendered);
        }
        rendered.generation = generation;
        const { families, chunks } = rendered;
        for (let i = 0; i < families.length; i++) bodies[families[i]!]!.push(chunks[i]!);
      },
    };

    for (const source of this.sources) source.collect(writer, now);

    // Entities not written this time are gone from the model: forget them.
    for (const [key, rendered] of cache) {
      if (rendered.generation !== generation) cache.delete(key);
    }

    const out: Buffer[] = [];
    for (let i = 0; i < this.families.length; i++) {
      out.push(this.headers[i]!);
      for (const chunk of bodies[i]!) out.push(chunk);
    }
    return Buffer.concat(out);
  }
}
