import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { connectorsExporter, type ConnectorsExporter } from '../../exporters/connectors/index.js';
import { promtoolCheckMetrics } from '../support/binaries.js';
import { ProtoWriter } from '../../exporters/core/protobuf.js';
import { sampleValue, startTestExporter, tempDir, type TestExporter } from '../support/exporter.js';
import { SdkConnector, type OtlpProtocol } from '../../sim/connectors/sdk-connector.js';

const running: TestExporter[] = [];
const sdks: SdkConnector[] = [];
afterEach(async () => {
  await Promise.all(sdks.splice(0).map((s) => s.shutdown()));
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function start(sets: string[] = []): Promise<TestExporter> {
  const exporter = await startTestExporter(connectorsExporter, { sets: ['probe.interval_seconds=3600', 'otlp.body_limit_bytes=65536', ...sets] });
  running.push(exporter);
  return exporter;
}

function sdk(exporter: TestExporter, protocol: OtlpProtocol, attributes: Record<string, string>, gzip = false): SdkConnector {
  const s = new SdkConnector({ url: `${exporter.url}/v1/metrics`, protocol, attributes, gzip });
  sdks.push(s);
  return s;
}

const model = (exporter: TestExporter) => (exporter.instance as ConnectorsExporter).model;

type JsonPoint = { attributes?: Record<string, string>; timeUnixNano: number; asInt: number };
/** An OTLP/JSON request from one instance: a heartbeat, and pings_received (cumulative) with these points. */
function jsonRequest(instance: string, pings: JsonPoint[] = []): string {
  const point = (p: JsonPoint) => ({
    attributes: Object.entries(p.attributes ?? {}).map(([key, value]) => ({ key, value: { stringValue: value } })),
    startTimeUnixNano: '1',
    timeUnixNano: String(p.timeUnixNano),
    asInt: String(p.asInt),
  });
  const metrics: unknown[] = [{ name: 'formal.connector.instance.heartbeat', gauge: { dataPoints: [{ timeUnixNano: '1767225600000000000', asDouble: 1 }] } }];
  if (pings.length > 0) metrics.push({ name: 'formal.control_plane.pings_received', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: pings.map(point) } });
  return JSON.stringify({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.instance.id', value: { stringValue: instance } }] }, scopeMetrics: [{ metrics }] }] });
}

/** Gzipped protobuf: one instance's pings_received with `count` points, a few KB on the wire. */
function manyPointsRequest(count: number): Buffer {
  const point = Buffer.from(new ProtoWriter().message(1, new ProtoWriter().double(4, 1)).finish());
  const sum = Buffer.concat([Buffer.alloc(point.length * count, point), new ProtoWriter().varint(2, 2).finish()]);
  const metric = new ProtoWriter().string(1, 'formal.control_plane.pings_received').bytes(7, sum);
  const resource = new ProtoWriter().message(1, new ProtoWriter().string(1, 'service.instance.id').message(2, new ProtoWriter().string(1, 'i-1')));
  const resourceMetrics = new ProtoWriter().message(1, resource).message(2, new ProtoWriter().message(2, metric));
  return gzipSync(new ProtoWriter().message(1, resourceMetrics).finish());
}
const rejected = (text: string, reason: string) => sampleValue(text, 'fleetwatch_rejected_requests_total', { exporter: 'connectors', reason }) ?? 0;

describe('OTLP receiver, fed by the OpenTelemetry JS SDK', () => {
  it.each<[OtlpProtocol, boolean]>([
    ['protobuf', false],
    ['json', false],
    ['protobuf', true],
  ])('reads heartbeats, memory, connections and pings over %s (gzip %s)', async (protocol, gzip) => {
    const exporter = await start();
    const id = { connector: 'pg-prod', instance: 'conn-7f3a' };
    const connector = sdk(exporter, protocol, { 'service.instance.id': id.instance, ConnectorName: id.connector, 'service.version': '1.35.0' }, gzip);
    connector.heartbeat().memory(37.5).connections(5, 2).ping(3);
    await connector.flush();
    const firstAt = exporter.clock.now();

    let text = await exporter.scrape();
    expect(sampleValue(text, 'connector_info', { ...id, version: '1.35.0' })).toBe(1);
    expect(sampleValue(text, 'connector_last_heartbeat_timestamp_seconds', id)).toBe(firstAt / 1000);
    expect(sampleValue(text, 'connector_memory_usage_percent', id)).toBe(37.5);
    expect(sampleValue(text, 'connector_active_connections', id)).toBe(3);
    expect(sampleValue(text, 'connector_connections_opened_total', id)).toBe(5);
    expect(sampleValue(text, 'connector_connections_closed_total', id)).toBe(2);
    expect(sampleValue(text, 'connector_control_plane_pings_total', id)).toBe(3);
    // Pings seen once are counted but cannot be dated yet.
    expect(sampleValue(text, 'connector_control_plane_last_ping_timestamp_seconds', id)).toBeUndefined();
    expect(sampleValue(text, 'connector_otlp_data_points_total')).toBe(6);

    exporter.clock.advance(30_000);
    connector.heartbeat().ping(2);
    await connector.flush();
    text = await exporter.scrape();
    expect(sampleValue(text, 'connector_last_heartbeat_timestamp_seconds', id)).toBe(firstAt / 1000 + 30);
    expect(sampleValue(text, 'connector_control_plane_pings_total', id)).toBe(5);
    expect(sampleValue(text, 'connector_control_plane_last_ping_timestamp_seconds', id)).toBe(firstAt / 1000 + 30);
    expect(sampleValue(text, 'connector_heartbeat_gap_seconds_count', { connector: id.connector })).toBe(1);
    expect(sampleValue(text, 'connector_heartbeat_gap_seconds_bucket', { connector: id.connector, le: '30' })).toBe(1);
    expect(sampleValue(text, 'connector_heartbeat_gap_seconds_bucket', { connector: id.connector, le: '20' })).toBe(0);
    expect(sampleValue(text, 'connector_versions', { connector: id.connector })).toBe(1);
    expect(promtoolCheckMetrics(text)).toBe('');
  });

  it('counts missed heartbeats as the clock passes the interval × tolerance, without sleeping', async () => {
    const exporter = await start();
    const connector = sdk(exporter, 'protobuf', { 'host.name': 'conn-host-1' });
    connector.heartbeat();
    await connector.flush();
    const id = { connector: 'default', instance: 'conn-host-1' };
    const instance = exporter.instance as ConnectorsExporter;

    exporter.clock.advance(45_000);
    await instance.tick();
    expect(sampleValue(await exporter.scrape(), 'connector_heartbeats_missed_total', id)).toBe(0);
    exporter.clock.advance(1);
    await instance.tick();
    expect(sampleValue(await exporter.scrape(), 'connector_heartbeats_missed_total', id)).toBe(1);
    exporter.clock.advance(60_000);
    await instance.tick();
    expect(sampleValue(await exporter.scrape(), 'connector_heartbeats_missed_total', id)).toBe(3);
  });

  it('ignores other services\' telemetry forwarded by a Collector, and refuses resources it cannot name', async () => {
    const exporter = await start();
    const other = sdk(exporter, 'json', { 'service.name': 'checkout', 'service.instance.id': 'checkout-1' });
    other.provider.getMeter('checkout').createCounter('http.server.requests').add(1);
    await other.flush();
    expect(model(exporter).size).toBe(0);

    // No service.instance.id and no host.name: refused in a partial success, the rest of the request stands.
    const anonymous = sdk(exporter, 'protobuf', { 'service.name': 'formal-connector' });
    anonymous.heartbeat();
    await anonymous.flush();
    expect(model(exporter).size).toBe(0);
    expect(rejected(await exporter.scrape(), 'missing_instance_id')).toBe(1);
  });

  it('answers an empty ExportMetricsServiceResponse in the request\'s encoding, and a partial success when it refuses points', async () => {
    const exporter = await start(['otlp.max_instances=1']);
    const post = (instance: string) => fetch(`${exporter.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: jsonRequest(instance) });
    const ok = await post('i-1');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await ok.json()).toEqual({});
    const over = await post('i-2');
    expect(over.status).toBe(200);
    expect(await over.json()).toEqual({ partialSuccess: { rejectedDataPoints: '1', errorMessage: expect.stringMatching(/otlp\.max_instances/) } });
    expect(rejected(await exporter.scrape(), 'too_many_instances')).toBe(1);

    const empty = await fetch(`${exporter.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(0) });
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('OTLP receiver, reading counters per attribute set', () => {
  it('takes the newest of two points of one attribute set, and a set missing from a request is no sender restart', async () => {
    const exporter = await start();
    const post = (pings: JsonPoint[]) => fetch(`${exporter.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: jsonRequest('i-1', pings) });
    const pings = async () => sampleValue(await exporter.scrape(), 'connector_control_plane_pings_total', { connector: 'default', instance: 'i-1' });
    // A batching Collector forwards two exports of set a in one request: a's count is 7, not 5 + 7.
    expect((await post([{ attributes: { a: '1' }, timeUnixNano: 10, asInt: 5 }, { attributes: { a: '1' }, timeUnixNano: 20, asInt: 7 }, { attributes: { a: '2' }, timeUnixNano: 20, asInt: 3 }])).status).toBe(200);
    expect(await pings()).toBe(10);
    // Set a=2 is not in this request: a=1 went up by 2, nothing restarted.
    await post([{ attributes: { a: '1' }, timeUnixNano: 30, asInt: 9 }]);
    expect(await pings()).toBe(12);
    await post([{ attributes: { a: '1' }, timeUnixNano: 40, asInt: 9 }, { attributes: { a: '2' }, timeUnixNano: 40, asInt: 4 }]);
    expect(await pings()).toBe(13);
  });
});

describe('OTLP receiver, with a token', () => {
  it('refuses a request without the bearer token, before reading it, and takes one that has it', async () => {
    const tokenFile = join(tempDir(), 'otlp-token');
    writeFileSync(tokenFile, 's3cret\n');
    const exporter = await start([`otlp.token_file=${tokenFile}`]);
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Array<Record<string, string>>) {
      const response = await fetch(`${exporter.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: jsonRequest('i-1') });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toBe('unauthorized');
    }
    expect(model(exporter).size).toBe(0);
    expect(rejected(await exporter.scrape(), 'unauthorized')).toBe(2);

    // The otlphttp exporter of the SDK (or the Collector) with `headers: {Authorization: Bearer …}`.
    const connector = new SdkConnector({ url: `${exporter.url}/v1/metrics`, protocol: 'protobuf', attributes: { 'service.instance.id': 'i-1' }, headers: { Authorization: 'Bearer s3cret' } });
    sdks.push(connector);
    connector.heartbeat();
    await connector.flush();
    expect(model(exporter).get('default', 'i-1')).toBeDefined();
  });
});

describe('OTLP receiver, refusing bad input', () => {
  const cases: Array<[string, RequestInit, number, string, RegExp]> = [
    ['garbage protobuf', { headers: { 'content-type': 'application/x-protobuf' }, body: 'this is not protobuf' }, 400, 'invalid_otlp', /not an OTLP ExportMetricsServiceRequest/],
    ['invalid JSON', { headers: { 'content-type': 'application/json' }, body: '{"resourceMetrics": [' }, 400, 'invalid_json', /not valid JSON/],
    ['JSON of the wrong shape', { headers: { 'content-type': 'application/json' }, body: '{"resourceMetrics": {"oops": 1}}' }, 400, 'invalid_otlp', /resourceMetrics: expected an array/],
    ['a wrong content type', { headers: { 'content-type': 'text/plain' }, body: 'heartbeat' }, 415, 'unsupported_media_type', /send application\/x-protobuf or application\/json/],
    ['no content type', { body: new Uint8Array([1, 2, 3]) }, 415, 'unsupported_media_type', /send application\/x-protobuf or application\/json/],
    ['an oversized body', { headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(70_000) }, 413, 'body_too_large', /over the configured limit/],
    ['a gzip bomb over the limit', { headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body: gzipSync(new Uint8Array(200_000)) }, 413, 'body_too_large', /over the configured limit/],
    ['corrupt gzip', { headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body: 'not gzip at all' }, 400, 'invalid_gzip', /cannot be decompressed/],
  ];

  it.each<[string, string[], string | undefined, number | undefined]>([
    ['refuses it in a partial success, beyond otlp.max_data_points', [], 'too_many_data_points', undefined],
    ['reads it, within a raised otlp.max_data_points', ['otlp.max_data_points=1000000'], undefined, 1],
  ])('a 4 KB gzip request of 200k points: %s', async (_name, sets, reason, pings) => {
    const exporter = await start(['otlp.body_limit_bytes=4194304', ...sets]);
    const body = manyPointsRequest(200_000);
    expect(body.length).toBeLessThan(8192);
    const response = await fetch(`${exporter.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body });
    expect(response.status).toBe(200);
    const text = await exporter.scrape();
    expect(sampleValue(text, 'connector_control_plane_pings_total', { connector: 'default', instance: 'i-1' })).toBe(pings);
    if (reason) {
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
      expect(rejected(text, reason)).toBe(1);
      expect(model(exporter).size).toBe(0);
    }
  });

  it.each(cases)('%s: a clear 4xx, a counted reason, nothing changed', async (_name, init, status, reason, message) => {
    const exporter = await start();
    const good = sdk(exporter, 'protobuf', { 'service.instance.id': 'i-1', ConnectorName: 'pg' });
    good.heartbeat();
    await good.flush();
    const before = await exporter.scrape();

    const response = await fetch(`${exporter.url}/v1/metrics`, { method: 'POST', ...init });
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe(reason);
    expect(answer.message).toMatch(message);

    const after = await exporter.scrape();
    expect(rejected(after, reason)).toBe(1);
    expect(model(exporter).size).toBe(1);
    expect(sampleValue(after, 'connector_otlp_data_points_total')).toBe(sampleValue(before, 'connector_otlp_data_points_total'));
    // Still alive and accepting.
    exporter.clock.advance(30_000);
    good.heartbeat();
    await good.flush();
    expect(sampleValue(await exporter.scrape(), 'connector_last_heartbeat_timestamp_seconds', { connector: 'pg', instance: 'i-1' })).toBe(exporter.clock.now() / 1000);
  });
});
