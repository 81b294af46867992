/**
 * The OTLP half of a fake Formal Connector: its metrics as the official
 * OpenTelemetry JS SDK makes and sends them — a MeterProvider with a
 * PeriodicExportingMetricReader and the OTLP/HTTP exporter (protobuf or
 * JSON), the metric names of the reference (Topic B). Used by the fleet
 * simulator, the tests and the benchmark.
 *
 * Nothing is sent on a timer: `flush()` sends what was recorded now
 * (forceFlush), so the caller decides when (and can stagger a fleet).
 * The SDK swallows export failures (it reports them to its diag logger),
 * so `flush()` resolves either way.
 */
import type { Counter, Gauge } from '@opentelemetry/api';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';

export type OtlpProtocol = 'protobuf' | 'json';

/** The exporter's CompressionAlgorithm enum, named without importing its (transitive) package. */
type Compression = NonNullable<NonNullable<ConstructorParameters<typeof ProtobufExporter>[0]>['compression']>;
type ExportResult = Parameters<Parameters<PushMetricExporter['export']>[1]>[0];
/** ExportResultCode.SUCCESS, likewise. */
const EXPORT_SUCCESS = { code: 0 } as ExportResult;

export interface SdkConnectorOptions {
  /** The receiver, e.g. http://127.0.0.1:9811/v1/metrics. */
  url: string;
  protocol: OtlpProtocol;
  /** Resource attributes: service.instance.id, ConnectorName, service.version… */
  attributes: Record<string, string>;
  gzip?: boolean;
  /** Sent with every export, e.g. {Authorization: 'Bearer …'} for a receiver that wants a token. */
  headers?: Record<string, string>;
}

/** Passes exports through until muted; then drops them, as a dead process sends nothing. */
class MutableExporter implements PushMetricExporter {
  muted = false;
  // The inner exporter's choices (cumulative temporality, default aggregations) stay in force.
  readonly selectAggregationTemporality: PushMetricExporter['selectAggregationTemporality'];
  readonly selectAggregation: PushMetricExporter['selectAggregation'];

  constructor(private readonly inner: PushMetricExporter) {
    this.selectAggregationTemporality = inner.selectAggregationTemporality?.bind(inner);
    this.selectAggregation = inner.selectAggregation?.bind(inner);
  }

  export(metrics: Parameters<PushMetricExporter['export']>[0], done: (result: ExportResult) => void): void {
    if (this.muted) done(EXPORT_SUCCESS);
    else this.inner.export(metrics, done);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export class SdkConnector {
  readonly provider: MeterProvider;
  private readonly exporter: MutableExporter;
  private readonly heartbeatGauge: Gauge;
  private readonly memoryGauge: Gauge;
  private readonly activeGauge: Gauge;
  private readonly opened: Counter;
  private readonly closed: Counter;
  private readonly pings: Counter;

  constructor(opts: SdkConnectorOptions) {
    const config = { url: opts.url, headers: opts.headers, compression: (opts.gzip ? 'gzip' : 'none') as Compression };
    this.exporter = new MutableExporter(opts.protocol === 'protobuf' ? new ProtobufExporter(config) : new JsonExporter(config));
    // Exports only on flush(): the hour-long interval never comes round.
    const reader = new PeriodicExportingMetricReader({ exporter: this.exporter, exportIntervalMillis: 3_600_000 });
    this.provider = new MeterProvider({ resource: resourceFromAttributes(opts.attributes), readers: [reader] });
    const meter = this.provider.getMeter('formal-connector');
    this.heartbeatGauge = meter.createGauge('formal.connector.instance.heartbeat');
    this.memoryGauge = meter.createGauge('formal.connector.memory.usage_percent', { unit: '%' });
    this.activeGauge = meter.createGauge('formal.connector.active_connections');
    this.opened = meter.createCounter('formal.connector.connections_opened');
    this.closed = meter.createCounter('formal.connector.connections_closed');
    this.pings = meter.createCounter('formal.control_plane.pings_received');
  }

  heartbeat(): this {
    this.heartbeatGauge.record(1);
    return this;
  }

  memory(percent: number): this {
    this.memoryGauge.record(percent);
    return this;
  }

  /** Connections accepted and closed since the last call, and how many are open now (by default the difference). */
  connections(opened: number, closed: number, active = opened - closed): this {
    this.opened.add(opened);
    this.closed.add(closed);
    this.activeGauge.record(active);
    return this;
  }

  ping(count = 1): this {
    this.pings.add(count);
    return this;
  }

  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** A clean exit: the last readings are sent, then the provider stops. */
  shutdown(): Promise<void> {
    return this.provider.shutdown().catch(() => undefined);
  }

  /** A crash: nothing more is sent, not even the final export a clean shutdown makes. */
  crash(): Promise<void> {
    this.exporter.muted = true;
    return this.shutdown();
  }
}
