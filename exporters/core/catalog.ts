/**
 * The metric catalog: every family an exporter emits is declared once here,
 * and the exposition, the OTLP push, the metrics reference, the dashboards and
 * the alert rules all take names from it. A family is its own name when used
 * in a template string, so queries read `${c.collector_state}`.
 */
export type MetricType = 'gauge' | 'counter' | 'histogram';

/** UCUM-ish units, used for OTLP and the generated reference. */
export type Unit = 'seconds' | 'bytes' | 'ratio' | 'percent' | 'messages' | '';

export interface FamilySpec {
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  readonly unit?: Unit;
  /** Histogram upper bounds, ascending, without +Inf. */
  readonly buckets?: readonly number[];
  /**
   * Where the series count comes from, for the reference and reviewers:
   * e.g. "one per collector and state (7 × collectors)".
   */
  readonly cardinality?: string;
}

export interface Family extends FamilySpec {
  readonly name: string;
  readonly exporter: string;
  toString(): string;
}

export type Catalog<T extends Record<string, FamilySpec>> = {
  readonly [K in keyof T & string]: Family & T[K] & { readonly name: K };
};

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const UNIT_SUFFIX: Partial<Record<Unit, string>> = { seconds: '_seconds', bytes: '_bytes', ratio: '_ratio', percent: '_percent' };

/** Problems with a family's declaration against the Prometheus naming guide. */
export function lintFamily(name: string, spec: FamilySpec): string[] {
  const problems: string[] = [];
  if (!METRIC_NAME.test(name)) problems.push(`${name}: not a valid metric name`);
  for (const label of spec.labels) {
    if (!LABEL_NAME.test(label) || label.startsWith('__')) problems.push(`${name}: label "${label}" is not a valid label name`);
    if (label === 'le' && spec.type === 'histogram') problems.push(`${name}: "le" is reserved in histograms`);
  }
  if (new Set(spec.labels).size !== spec.labels.length) problems.push(`${name}: duplicate label`);
  if (spec.type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: counters end in _total`);
  if (spec.type !== 'counter' && name.endsWith('_total')) problems.push(`${name}: only counters end in _total`);
  if (spec.type === 'histogram') {
    const b = spec.buckets ?? [];
    if (b.length === 0) problems.push(`${name}: a histogram needs buckets`);
    if (b.some((v, i) => i > 0 && v <= b[i - 1]!)) problems.push(`${name}: buckets must ascend`);
  }
  const suffix = spec.unit ? UNIT_SUFFIX[spec.unit] : undefined;
  if (suffix && !name.replace(/_total$/, '').endsWith(suffix)) problems.push(`${name}: unit ${spec.unit} wants the ${suffix} suffix`);
  if (!spec.help.trim()) problems.push(`${name}: help is empty`);
  return problems;
}

export function defineCatalog<const T extends Record<string, FamilySpec>>(exporter: string, specs: T): Catalog<T> {
  const problems = Object.entries(specs).flatMap(([name, spec]) => lintFamily(name, spec));
  if (problems.length > 0) throw new Error(`catalog ${exporter}: ${problems.join('; ')}`);
  const catalog: Record<string, Family> = {};
  for (const [name, spec] of Object.entries(specs)) {
    catalog[name] = Object.freeze({ ...spec, name, exporter, toString: () => name });
  }
  return Object.freeze(catalog) as Catalog<T>;
}

/** The families of a catalog, in declaration order. */
export function familiesOf(catalog: Record<string, Family>): Family[] {
  return Object.values(catalog);
}
