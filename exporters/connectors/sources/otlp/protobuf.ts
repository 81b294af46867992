/**
 * OTLP/HTTP protobuf: an ExportMetricsServiceRequest decoded by field number
 * (opentelemetry-proto, metrics/v1 and common/v1). Only gauges and sums of
 * the wanted metrics are decoded; everything else is skipped unread.
 *
 *   ExportMetricsServiceRequest  1 resource_metrics
 *   ResourceMetrics              1 resource, 2 scope_metrics
 *   Resource                     1 attributes
 *   ScopeMetrics                 2 metrics
 *   Metric                       1 name, 5 gauge, 7 sum
 *   Gauge                        1 data_points
 *   Sum                          1 data_points, 2 aggregation_temporality
 *   NumberDataPoint              2 start_time_unix_nano (fixed64), 3 time_unix_nano (fixed64),
 *                                4 as_double (double), 6 as_int (sfixed64), 7 attributes
 *   KeyValue                     1 key, 2 value
 *   AnyValue                     1 string, 2 bool, 3 int (varint int64), 4 double; others skipped
 */
import { ProtoError, ProtoReader, WireType } from '../../../core/protobuf.js';
import { OtlpFormatError, type DecodedMetric, type DecodedResource, type NumberPoint } from './decoded.js';

/** Decodes a request body; throws OtlpFormatError if it is not well-formed protobuf of that shape. */
export function decodeProtobufRequest(body: Uint8Array, wanted: (name: string) => boolean): DecodedResource[] {
  try {
    const out: DecodedResource[] = [];
    const r = new ProtoReader(body);
    while (r.next()) {
      if (r.field === 1) out.push(resourceMetrics(r.message(), wanted));
      else r.skip();
    }
    return out;
  } catch (err) {
    if (err instanceof ProtoError) throw new OtlpFormatError(`not an OTLP ExportMetricsServiceRequest: ${err.message}`);
    throw err;
  }
}

function resourceMetrics(r: ProtoReader, wanted: (name: string) => boolean): DecodedResource {
  const resource: DecodedResource = { attributes: {}, metrics: [] };
  while (r.next()) {
    if (r.field === 1) {
      const res = r.message();
      while (res.next()) {
        if (res.field === 1) keyValue(res.message(), resource.attributes);
        else res.skip();
      }
    } else if (r.field === 2) {
      const scope = r.message();
      while (scope.next()) {
        if (scope.field !== 2) {
          scope.skip();
          continue;
        }
        const m = metric(scope.message(), wanted);
        if (m) resource.metrics.push(m);
      }
    } else {
      r.skip();
    }
  }
  return resource;
}

function metric(r: ProtoReader, wanted: (name: string) => boolean): DecodedMetric | undefined {
  let name = '';
  let data: ProtoReader | undefined;
  let type: DecodedMetric['type'] = 'gauge';
  while (r.next()) {
    if (r.field === 1) name = text(r);
    else if (r.field === 5 || r.field === 7) {
      // Read past now, decoded below only if the name is wanted (fields come in any order).
      data = r.message();
      type = r.field === 5 ? 'gauge' : 'sum';
    } else r.skip();
  }
  if (!data || !wanted(name)) return undefined;
  const m: DecodedMetric = { name, type, temporality: 0, points: [] };
  while (data.next()) {
    if (data.field === 1) m.points.push(numberPoint(data.message()));
    else if (data.field === 2 && type === 'sum') m.temporality = varint(data);
    else data.skip();
  }
  return m;
}

function numberPoint(r: ProtoReader): NumberPoint {
  const p: NumberPoint = { attributes: {}, startTimeUnixNano: 0, timeUnixNano: 0, value: NaN };
  while (r.next()) {
    switch (r.field) {
      case 2:
        r.expect(WireType.Fixed64);
        p.startTimeUnixNano = r.fixed64();
        break;
      case 3:
        r.expect(WireType.Fixed64);
        p.timeUnixNano = r.fixed64();
        break;
      case 4:
        r.expect(WireType.Fixed64);
        p.value = r.double();
        break;
      case 6:
        r.expect(WireType.Fixed64);
        p.value = r.sfixed64();
        break;
      case 7:
        keyValue(r.message(), p.attributes);
        break;
      default:
        r.skip();
    }
  }
  return p;
}

/** Adds a KeyValue to `into` when its value is a string, bool, int or double. */
function keyValue(r: ProtoReader, into: Record<string, string>): void {
  let key = '';
  let value: string | undefined;
  while (r.next()) {
    if (r.field === 1) key = text(r);
    else if (r.field === 2) value = anyValue(r.message());
    else r.skip();
  }
  if (value !== undefined) into[key] = value;
}

function anyValue(r: ProtoReader): string | undefined {
  let value: string | undefined;
  while (r.next()) {
    switch (r.field) {
      case 1:
        value = text(r);
        break;
      case 2:
        value = String(varint(r) !== 0);
        break;
      case 3: {
        const v = varint(r);
        value = String(v >= 2 ** 63 ? v - 2 ** 64 : v);
        break;
      }
      case 4:
        r.expect(WireType.Fixed64);
        value = String(r.double());
        break;
      default:
        r.skip();
    }
  }
  return value;
}

function text(r: ProtoReader): string {
  r.expect(WireType.LengthDelimited);
  return r.string();
}

function varint(r: ProtoReader): number {
  r.expect(WireType.Varint);
  return r.varint();
}
