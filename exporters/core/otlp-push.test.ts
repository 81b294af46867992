import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defineCatalog, familiesOf } from './catalog.js';
import { ManualClock } from './clock.js';
import type { MetricSource, SampleWriter } from './exposition.js';
import { emptyHistogram, observe } from './histogram.js';
import { OtlpPush, otlpPushWanted } from './otlp-push.js';
import { ProtoReader } from './protobuf.js';

const cat = defineCatalog('test', {
  widget_up: { type: 'gauge', help: 'Up.', labels: ['widget'] },
  widget_events_total: { type: 'counter', help: 'Events.', labels: [] },
  widget_gap_seconds: { type: 'histogram', help: 'Gaps.', labels: [], unit: 'seconds', buckets: [1, 10] },
});

const source: MetricSource = {
  families: familiesOf(cat),
  collect(w: SampleWriter) {
    w.entity('a', 1, (e) => e.sample(cat.widget_up, ['a'], 1));
    w.sample(cat.widget_events_total, [], 7);
    const h = emptyHistogram([1, 10]);
    for (const v of [0.5, 5, 50]) observe(h, [1, 10], v);
    w.histogram(cat.widget_gap_seconds, [], h);
  },
};

interface Received {
  contentType: string;
  body: Buffer;
}

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

async function receiver(): Promise<{ url: string; next: () => Promise<Received> }> {
  const waiting: Array<(r: Received) => void> = [];
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': req.headers['content-type'] }).end(req.headers['content-type']?.includes('json') ? '{}' : '');
      waiting.shift()?.({ contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1/metrics`;
  return { url, next: () => new Promise((resolve) => waiting.push(resolve)) };
}

describe('OTLP push', () => {
  it('is on only when an OTLP endpoint is configured', () => {
    expect(otlpPushWanted({})).toBe(false);
    expect(otlpPushWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(true);
    expect(otlpPushWanted({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/v1/metrics' })).toBe(true);
  });

  it('sends the catalog families as OTLP/JSON: gauges, monotonic sums and explicit histograms', async () => {
    const { url, next } = await receiver();
    const push = new OtlpPush('test', [source], new ManualClock(), { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: url, OTEL_METRIC_EXPORT_INTERVAL: '3600000' });
    const arrived = next();
    await push.flush();
    const { contentType, body } = await arrived;
    await push.stop();
    expect(contentType).toMatch(/application\/json/);
    const request = JSON.parse(body.toString()) as { resourceMetrics: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue: string } }> }; scopeMetrics: Array<{ metrics: Array<Record<string, any>> }> }> };
    const rm = request.resourceMetrics[0]!;
    expect(rm.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue).toBe('fleetwatch-test');
    const metrics = Object.fromEntries(rm.scopeMetrics[0]!.metrics.map((m) => [m.name as string, m]));
    expect(Object.keys(metrics).sort()).toEqual(['widget_events_total', 'widget_gap_seconds', 'widget_up']);
    expect(metrics.widget_up!.gauge.dataPoints[0]).toMatchObject({ asDouble: 1, attributes: [{ key: 'widget', value: { stringValue: 'a' } }] });
    expect(metrics.widget_events_total!.sum).toMatchObject({ isMonotonic: true, aggregationTemporality: 2, dataPoints: [{ asDouble: 7 }] });
    expect(metrics.widget_gap_seconds!.unit).toBe('s');
    expect(metrics.widget_gap_seconds!.histogram.dataPoints[0]).toMatchObject({ count: 3, sum: 55.5, explicitBounds: [1, 10], bucketCounts: [1, 1, 1] });
  });

  it('speaks OTLP/protobuf when asked to', async () => {
    const { url, next } = await receiver();
    const push = new OtlpPush('test', [source], new ManualClock(), { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: url, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf', OTEL_METRIC_EXPORT_INTERVAL: '3600000' });
    const arrived = next();
    await push.flush();
    const { contentType, body } = await arrived;
    await push.stop();
    expect(contentType).toBe('application/x-protobuf');
    // ExportMetricsServiceRequest.resource_metrics (1) → scope_metrics (2) → metrics (2) → name (1)
    const names: string[] = [];
    const request = new ProtoReader(body);
    while (request.next()) {
      const rm = request.message();
      while (rm.next()) {
        if (rm.field !== 2) { rm.skip(); continue; }
        const sm = rm.message();
        while (sm.next()) {
          if (sm.field !== 2) { sm.skip(); continue; }
          const metric = sm.message();
          while (metric.next()) if (metric.field === 1) names.push(metric.string()); else metric.skip();
        }
      }
    }
    expect(names.sort()).toEqual(['widget_events_total', 'widget_gap_seconds', 'widget_up']);
  });
});
