/**
 * OTLP push of the same catalog families that /metrics serves, through the
 * OpenTelemetry SDK: the view's samples are handed to a periodic reader as a
 * MetricProducer, so exposition and push can never disagree. On when the
 * standard OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT
 * is set; OTEL_EXPORTER_OTLP_METRICS_PROTOCOL picks http/json (default) or
 * http/protobuf, OTEL_METRIC_EXPORT_INTERVAL the period.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import { OTLPMetricExporter as OtlpJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { metrics, resources } from '@opentelemetry/sdk-node';
import type { Family } from './catalog.js';
import type { Clock } from './clock.js';
import type { MetricSource, SampleWriter } from './exposition.js';
import type { HistogramData } from './histogram.js';
import { VERSION } from './version.js';

const { AggregationTemporality, DataPointType } = metrics;

const OTLP_UNITS: Record<string, string> = { seconds: 's', bytes: 'By', ratio: '1', percent: '%', messages: '{message}' };

export function otlpPushWanted(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT);
}

function hrTime(ms: number): HrTime {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

function attributes(family: Family, values: readonly string[]): Attributes {
  const out: Attributes = {};
  family.labels.forEach((name, i) => {
    out[name] = values[i] ?? '';
  });
  return out;
}

/** Turns one collection of samples into OTLP metric data, one metric per family. */
function collectMetricData(sources: readonly MetricSource[], startMs: number, nowMs: number): metrics.MetricData[] {
  const start = hrTime(startMs);
  const end = hrTime(nowMs);
  const points = new Map<Family, Array<metrics.DataPoint<number> | metrics.DataPoint<metrics.Histogram>>>();
  const add = (family: Family, point: metrics.DataPoint<number> | metrics.DataPoint<metrics.Histogram>) => {
    let list = points.get(family);
    if (!list) points.set(family, (list = []));
    list.push(point);
  };
  const writer: SampleWriter = {
    sample: (family, labels, value) => add(family, { startTime: family.type === 'counter' ? start : end, endTime: end, attributes: attributes(family, labels), value }),
    histogram: (family, labels, data: HistogramData) => {
      const bounds = [...(family.buckets ?? [])];
      // OTLP wants per-bucket counts; the model keeps cumulative ones.
      const counts = [...data.cumulative, data.count].map((c, i, all) => c - (i > 0 ? all[i - 1]! : 0));
      add(family, { startTime: start, endTime: end, attributes: attributes(family, labels), value: { buckets: { boundaries: bounds, counts }, sum: data.sum, count: data.count } });
    },
    entity: (_key, _version, write) => write(writer),
  };
  for (const source of sources) source.collect(writer, nowMs);

  const out: metrics.MetricData[] = [];
  for (const source of sources) {
    for (const family of source.families) {
      const dataPoints = points.get(family) ?? [];
      const descriptor = { name: family.name, description: family.help, unit: OTLP_UNITS[family.unit ?? ''] ?? '', valueType: ValueType.DOUBLE };
      if (family.type === 'histogram') {
        out.push({ descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints: dataPoints as metrics.DataPoint<metrics.Histogram>[] });
      } else if (family.type === 'counter') {
        out.push({ descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.SUM, isMonotonic: true, dataPoints: dataPoints as metrics.DataPoint<number>[] });
      } else {
        out.push({ descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints: dataPoints as metrics.DataPoint<number>[] });
      }
    }
  }
  return out;
}

export class OtlpPush {
  private readonly provider: metrics.MeterProvider;

  constructor(exporter: string, sources: readonly MetricSource[], clock: Clock, env: NodeJS.ProcessEnv) {
    const startMs = clock.now();
    const resource = resources.resourceFromAttributes({ 'service.name': `fleetwatch-${exporter}`, 'service.version': VERSION });
    const producer: metrics.MetricProducer = {
      collect: async () => ({
        resourceMetrics: { resource, scopeMetrics: [{ scope: { name: 'fleetwatch', version: VERSION }, metrics: collectMetricData(sources, startMs, clock.now()) }] },
        errors: [],
      }),
    };
    const protocol = env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/json';
    // The SDK would read process.env itself; the endpoint is resolved here so
    // the environment handed to the exporter is the one that counts.
    const url = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? `${(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').replace(/\/$/, '')}/v1/metrics`;
    const otlpExporter = protocol === 'http/protobuf' ? new OtlpProtoExporter({ url }) : new OtlpJsonExporter({ url });
    const intervalMs = Number(env.OTEL_METRIC_EXPORT_INTERVAL ?? 60_000);
    const reader = new metrics.PeriodicExportingMetricReader({
      exporter: otlpExporter,
      exportIntervalMillis: intervalMs,
      exportTimeoutMillis: Math.min(intervalMs, 30_000),
      metricProducers: [producer],
    });
    this.provider = new metrics.MeterProvider({ resource, readers: [reader] });
  }

  /** Pushes what is pending now; used on shutdown and by tests. */
  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  async stop(): Promise<void> {
    await this.provider.shutdown();
  }
}
