import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../../core/protobuf.js';
import { captureExport, type OtlpProtocol } from '../../../../test/connectors/sdk-connector.js';
import { OtlpFormatError, type DecodedResource } from './decoded.js';
import { decodeJsonRequest } from './json.js';
import { decodeProtobufRequest } from './protobuf.js';
import { isConnectorMetric, toTelemetry } from './telemetry.js';

const ATTRIBUTES = { 'service.instance.id': 'conn-1', ConnectorName: 'pg-prod', 'service.version': '1.35.0' };

async function sdkRequest(protocol: OtlpProtocol): Promise<DecodedResource[]> {
  const body = await captureExport(protocol, ATTRIBUTES, (c) => {
    c.heartbeat().memory(42.5).connections(7, 3).ping(11);
    c.provider.getMeter('other').createCounter('http.server.requests').add(1);
  });
  return protocol === 'protobuf' ? decodeProtobufRequest(body, isConnectorMetric) : decodeJsonRequest(JSON.parse(body.toString('utf8')), isConnectorMetric);
}

describe('OTLP decoding of what the OpenTelemetry JS SDK sends', () => {
  it.each<OtlpProtocol>(['protobuf', 'json'])('reads resource attributes and the formal.* gauges and sums over %s', async (protocol) => {
    const [resource, ...rest] = await sdkRequest(protocol);
    expect(rest).toEqual([]);
    expect(resource!.attributes).toMatchObject(ATTRIBUTES);
    const byName = new Map(resource!.metrics.map((m) => [m.name, m]));
    expect([...byName.keys()].sort()).toEqual([
      'formal.connector.active_connections',
      'formal.connector.connections_closed',
      'formal.connector.connections_opened',
      'formal.connector.instance.heartbeat',
      'formal.connector.memory.usage_percent',
      'formal.control_plane.pings_received',
    ]);
    expect(byName.get('formal.connector.memory.usage_percent')).toMatchObject({ type: 'gauge', points: [{ value: 42.5 }] });
    const pings = byName.get('formal.control_plane.pings_received')!;
    expect(pings).toMatchObject({ type: 'sum', temporality: 2, points: [{ value: 11 }] });
    // Nanosecond times, about now.
    expect(Math.abs(pings.points[0]!.timeUnixNano / 1e6 - Date.now())).toBeLessThan(60_000);
    expect(pings.points[0]!.startTimeUnixNano).toBeGreaterThan(0);
  });

  it('gives the same telemetry from both encodings', async () => {
    const [fromProtobuf] = (await sdkRequest('protobuf')).map(toTelemetry);
    const [fromJson] = (await sdkRequest('json')).map(toTelemetry);
    const expected = {
      connector: 'pg-prod',
      instance: 'conn-1',
      version: '1.35.0',
      heartbeat: true,
      memoryPercent: 42.5,
      activeConnections: 4,
      connectionsOpened: { delta: false, series: [{ key: '[]', value: 7 }] },
      connectionsClosed: { delta: false, series: [{ key: '[]', value: 3 }] },
      pingsReceived: { delta: false, series: [{ key: '[]', value: 11 }] },
      dataPoints: 6,
    };
    expect(fromProtobuf).toMatchObject(expected);
    expect(fromJson).toMatchObject(expected);
  });
});

describe('OTLP decoding of bad input', () => {
  it('refuses protobuf that is not well-formed, naming the problem', () => {
    const wrongWireType = new ProtoWriter().varint(1, 5).finish();
    const truncated = new ProtoWriter().message(1, new ProtoWriter().string(1, 'x')).finish().subarray(0, 3);
    for (const body of [Buffer.from('this is not protobuf'), wrongWireType, truncated]) {
      expect(() => decodeProtobufRequest(body, isConnectorMetric)).toThrow(OtlpFormatError);
    }
    expect(() => decodeProtobufRequest(truncated, isConnectorMetric)).toThrow(/runs past the end/);
  });

  it('refuses JSON of the wrong shape, naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /the body: expected an object/],
      [{ resourceMetrics: [{ scopeMetrics: {} }] }, /resourceMetrics\[0\]\.scopeMetrics: expected an array/],
      [{ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'formal.connector.instance.heartbeat', gauge: { dataPoints: [{ asInt: 'ten' }] } }] }] }] }, /dataPoints\[0\]\.asInt: expected a 64-bit integer/],
      [{ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'formal.control_plane.pings_received', sum: { aggregationTemporality: 'SOMETIMES' } }] }] }] }, /aggregationTemporality: expected 1 \(delta\) or 2 \(cumulative\)/],
    ];
    for (const [body, message] of cases) expect(() => decodeJsonRequest(body, isConnectorMetric)).toThrow(message);
  });

  it('accepts the JSON mapping\'s alternatives: 64-bit integers as numbers, enums by name', () => {
    const body = {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'formal.control_plane.pings_received', sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA', dataPoints: [{ timeUnixNano: 1767225600000000000, asInt: 3 }] } }] }] }],
    };
    expect(decodeJsonRequest(body, isConnectorMetric)[0]!.metrics[0]).toMatchObject({ temporality: 1, points: [{ value: 3 }] });
  });
});

describe('telemetry from a decoded resource', () => {
  const heartbeat = { name: 'formal.connector.instance.heartbeat', type: 'gauge' as const, temporality: 0, points: [{ attributes: {}, startTimeUnixNano: 0, timeUnixNano: 1, value: 1 }] };

  it('names the instance by service.instance.id, else host.name, and looks on data points when the resource has no ConnectorName', () => {
    expect(toTelemetry({ attributes: { 'host.name': 'ip-10-0-0-5' }, metrics: [heartbeat] })).toMatchObject({ instance: 'ip-10-0-0-5', connector: undefined });
    const onPoint = { ...heartbeat, points: [{ ...heartbeat.points[0]!, attributes: { ConnectorName: 'pg' } }] };
    expect(toTelemetry({ attributes: { 'service.instance.id': 'i-1', 'host.name': 'h' }, metrics: [onPoint] })).toMatchObject({ instance: 'i-1', connector: 'pg' });
  });

  it('ignores resources without formal.* data, and refuses those it cannot name or whose names are too long', () => {
    expect(toTelemetry({ attributes: { 'service.instance.id': 'i-1' }, metrics: [] })).toBeUndefined();
    expect(toTelemetry({ attributes: {}, metrics: [heartbeat] })).toMatchObject({ reason: 'missing_instance_id', dataPoints: 1 });
    expect(toTelemetry({ attributes: { 'service.instance.id': 'x'.repeat(257) }, metrics: [heartbeat] })).toMatchObject({ reason: 'invalid_resource' });
  });

  const pings = (temporality: number, ...points: Array<[attributes: Record<string, string>, timeUnixNano: number, value: number]>) => ({
    name: 'formal.control_plane.pings_received',
    type: 'sum' as const,
    temporality,
    points: points.map(([attributes, timeUnixNano, value]) => ({ attributes, startTimeUnixNano: 1, timeUnixNano, value })),
  });

  it('reads a sum per attribute set: the newest point of each cumulative set, every point of a delta set', () => {
    const cumulative = pings(2, [{ b: '2', a: '1' }, 20, 7], [{ a: '1', b: '2' }, 10, 5], [{ a: '1', b: '3' }, 10, 4]);
    expect(toTelemetry({ attributes: { 'service.instance.id': 'i-1' }, metrics: [cumulative] })).toMatchObject({
      pingsReceived: { delta: false, series: [{ key: '[["a","1"],["b","2"]]', value: 7 }, { key: '[["a","1"],["b","3"]]', value: 4 }] },
      dataPoints: 3,
    });
    const delta = pings(1, [{}, 10, 2], [{}, 20, 3]);
    expect(toTelemetry({ attributes: { 'service.instance.id': 'i-1' }, metrics: [delta] })).toMatchObject({ pingsReceived: { delta: true, series: [{ key: '[]', value: 5 }] } });
  });

  it('reads a sum of 200k points (a few KB of gzip) without running out of stack', () => {
    const many = { ...pings(2), points: Array.from({ length: 200_000 }, (_, i) => ({ attributes: {}, startTimeUnixNano: 1, timeUnixNano: i, value: i })) };
    expect(toTelemetry({ attributes: { 'service.instance.id': 'i-1' }, metrics: [many] })).toMatchObject({ pingsReceived: { series: [{ value: 199_999 }] } });
  });
});
