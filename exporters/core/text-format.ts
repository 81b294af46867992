/**
 * The Prometheus text exposition format (0.0.4), written by hand because the
 * per-entity series are pre-rendered and cached (see exposition.ts).
 */
import type { Family } from './catalog.js';
import type { HistogramData } from './histogram.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function escapeLabelValue(value: string): string {
  // Fast path: most label values need no escaping.
  if (!/[\\"\n]/.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function header(family: Family): string {
  return `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
}

function labelBlock(names: readonly string[], values: readonly string[], extra?: string): string {
  if (names.length === 0 && extra === undefined) return '';
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    out += `${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  }
  if (extra !== undefined) out += (names.length > 0 ? ',' : '') + extra;
  return out + '}';
}

export function sampleLine(family: Family, labelValues: readonly string[], value: number): string {
  return `${family.name}${labelBlock(family.labels, labelValues)} ${formatValue(value)}\n`;
}

export function histogramLines(family: Family, labelValues: readonly string[], h: HistogramData): string {
  const bounds = family.buckets ?? [];
  let out = '';
  for (let i = 0; i < bounds.length; i++) {
    out += `${family.name}_bucket${labelBlock(family.labels, labelValues, `le="${formatValue(bounds[i]!)}"`)} ${h.cumulative[i] ?? 0}\n`;
  }
  out += `${family.name}_bucket${labelBlock(family.labels, labelValues, 'le="+Inf"')} ${h.count}\n`;
  out += `${family.name}_sum${labelBlock(family.labels, labelValues)} ${formatValue(h.sum)}\n`;
  out += `${family.name}_count${labelBlock(family.labels, labelValues)} ${h.count}\n`;
  return out;
}
