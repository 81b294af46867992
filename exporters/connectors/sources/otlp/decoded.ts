/**
 * An OTLP ExportMetricsServiceRequest as both decoders (protobuf and JSON)
 * hand it over: only what this exporter reads, with attribute values as
 * strings and the number data points of gauges and sums.
 */

/** AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative. */
export const TEMPORALITY_DELTA = 1;

export interface NumberPoint {
  attributes: Record<string, string>;
  startTimeUnixNano: number;
  timeUnixNano: number;
  value: number;
}

export interface DecodedMetric {
  name: string;
  type: 'gauge' | 'sum';
  temporality: number;
  points: NumberPoint[];
}

export interface DecodedResource {
  attributes: Record<string, string>;
  /** Only the metrics the decoder was asked for, across all scopes. */
  metrics: DecodedMetric[];
}

/** The body is not a well-formed OTLP request; the message says where. */
export class OtlpFormatError extends Error {}
