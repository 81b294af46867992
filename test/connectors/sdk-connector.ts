/**
 * A connector's OTLP metrics as the official OpenTelemetry JS SDK makes and
 * sends them: a MeterProvider with a PeriodicExportingMetricReader and the
 * OTLP/HTTP exporter (protobuf or JSON), the metric names of the reference
 * (Topic B). `flush()` sends what was recorded now (forceFlush); it rejects
 * when the receiver refuses the export. `captureExport` keeps the bytes sent,
 * for decoder tests.
 */
import { createServer } from 'node:http';
import type { Counter, Gauge } from '@opentelemetry/api';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

export type OtlpProtocol = 'protobuf' | 'json';

/** The exporter's CompressionAlgorithm enum, named without importing its (transitive) package. */
type Compression = NonNullable<NonNullable<ConstructorParameters<typeof ProtobufExporter>[0]>['compression']>;

export interface SdkConnectorOptions {
  /** The receiver, e.g. http://127.0.0.1:9811/v1/metrics. */
  url: string;
  protocol: OtlpProtocol;
  /** Resource attributes: service.instance.id, ConnectorName, service.version… */
  attributes: Record<string, string>;
  gzip?: boolean;
}

export class SdkConnector {
  readonly provider: MeterProvider;
  private readonly heartbeatGauge: Gauge;
  private readonly memoryGauge: Gauge;
  private readonly activeGauge: Gauge;
  private readonly opened: Counter;
  private readonly closed: Counter;
  private readonly pings: Counter;

  constructor(opts: SdkConnectorOptions) {
    const config = { url: opts.url, compression: (opts.gzip ? 'gzip' : 'none') as Compression };
    const exporter = opts.protocol === 'protobuf' ? new ProtobufExporter(config) : new JsonExporter(config);
    // Exports only on flush(): the hour-long interval never comes round in a test.
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
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

  connections(opened: number, closed: number): this {
    this.opened.add(opened);
    this.closed.add(closed);
    this.activeGauge.record(opened - closed);
    return this;
  }

  ping(count = 1): this {
    this.pings.add(count);
    return this;
  }

  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown().catch(() => undefined);
  }
}

/** The body the SDK sends for what `record` does, as a loopback receiver got it. */
export async function captureExport(protocol: OtlpProtocol, attributes: Record<string, string>, record: (c: SdkConnector) => void): Promise<Buffer> {
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end(protocol === 'json' ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const connector = new SdkConnector({ url: `http://127.0.0.1:${port}/v1/metrics`, protocol, attributes });
  try {
    record(connector);
    await connector.flush();
  } finally {
    await connector.shutdown();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return bodies[0]!;
}
