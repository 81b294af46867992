/**
 * OTLP/HTTP JSON: the protobuf JSON mapping of ExportMetricsServiceRequest
 * (lowerCamelCase field names; 64-bit integers as decimal strings, numbers
 * accepted too; enums as integers, names accepted too). Only gauges and
 * sums of the wanted metrics are read; unknown fields are ignored.
 */
import { OtlpFormatError, type DecodedMetric, type DecodedResource, type NumberPoint } from './decoded.js';

type Json = Record<string, unknown>;

const TEMPORALITY_NAMES: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

/** Reads a parsed JSON body; throws OtlpFormatError naming the first field that is wrong. */
export function decodeJsonRequest(body: unknown, wanted: (name: string) => boolean): DecodedResource[] {
  const request = object(body, 'the body');
  return list(request.resourceMetrics, 'resourceMetrics').map((rm, i) => {
    const at = `resourceMetrics[${i}]`;
    const resourceMetrics = object(rm, at);
    const resource = resourceMetrics.resource === undefined ? {} : object(resourceMetrics.resource, `${at}.resource`);
    const decoded: DecodedResource = { attributes: attributes(resource.attributes, `${at}.resource.attributes`), metrics: [] };
    list(resourceMetrics.scopeMetrics, `${at}.scopeMetrics`).forEach((sm, j) => {
      const scopeAt = `${at}.scopeMetrics[${j}]`;
      list(object(sm, scopeAt).metrics, `${scopeAt}.metrics`).forEach((m, k) => {
        const metric = decodeMetric(object(m, `${scopeAt}.metrics[${k}]`), `${scopeAt}.metrics[${k}]`, wanted);
        if (metric) decoded.metrics.push(metric);
      });
    });
    return decoded;
  });
}

function decodeMetric(m: Json, at: string, wanted: (name: string) => boolean): DecodedMetric | undefined {
  if (typeof m.name !== 'string') throw new OtlpFormatError(`${at}.name: expected a string`);
  const type = m.gauge !== undefined ? 'gauge' : m.sum !== undefined ? 'sum' : undefined;
  if (!type || !wanted(m.name)) return undefined;
  const data = object(m[type], `${at}.${type}`);
  const points = list(data.dataPoints, `${at}.${type}.dataPoints`).map((p, i) => numberPoint(object(p, `${at}.${type}.dataPoints[${i}]`), `${at}.${type}.dataPoints[${i}]`));
  return { name: m.name, type, temporality: type === 'sum' ? temporality(data.aggregationTemporality, `${at}.sum.aggregationTemporality`) : 0, points };
}

function numberPoint(p: Json, at: string): NumberPoint {
  const value = p.asDouble !== undefined ? double(p.asDouble, `${at}.asDouble`) : p.asInt !== undefined ? int64(p.asInt, `${at}.asInt`) : NaN;
  return {
    attributes: attributes(p.attributes, `${at}.attributes`),
    startTimeUnixNano: p.startTimeUnixNano === undefined ? 0 : int64(p.startTimeUnixNano, `${at}.startTimeUnixNano`),
    timeUnixNano: p.timeUnixNano === undefined ? 0 : int64(p.timeUnixNano, `${at}.timeUnixNano`),
    value,
  };
}

function attributes(value: unknown, at: string): Record<string, string> {
  const out: Record<string, string> = {};
  list(value, at).forEach((kv, i) => {
    const pair = object(kv, `${at}[${i}]`);
    if (typeof pair.key !== 'string') throw new OtlpFormatError(`${at}[${i}].key: expected a string`);
    const any = pair.value === undefined ? {} : object(pair.value, `${at}[${i}].value`);
    const v = any.stringValue ?? any.boolValue ?? any.intValue ?? any.doubleValue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[pair.key] = String(v);
  });
  return out;
}

function temporality(value: unknown, at: string): number {
  if (value === undefined) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && value in TEMPORALITY_NAMES) return TEMPORALITY_NAMES[value]!;
  throw new OtlpFormatError(`${at}: expected 1 (delta) or 2 (cumulative), got ${JSON.stringify(value)}`);
}

function int64(value: unknown, at: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  throw new OtlpFormatError(`${at}: expected a 64-bit integer (a decimal string), got ${JSON.stringify(value)}`);
}

function double(value: unknown, at: string): number {
  if (typeof value === 'number') return value;
  // The protobuf JSON mapping writes the special values as strings.
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  throw new OtlpFormatError(`${at}: expected a number, got ${JSON.stringify(value)}`);
}

function object(value: unknown, at: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OtlpFormatError(`${at}: expected an object`);
  return value as Json;
}

/** A repeated field: absent means empty. */
function list(value: unknown, at: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpFormatError(`${at}: expected an array`);
  return value;
}
