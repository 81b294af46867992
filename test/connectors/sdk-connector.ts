/**
 * The bytes the OpenTelemetry SDK sends for a connector's metrics, as a
 * loopback receiver got them: for decoder tests and the benchmark. The SDK
 * side is the simulator's (sim/connectors/sdk-connector.ts).
 */
import { createServer } from 'node:http';
import { SdkConnector, type OtlpProtocol } from '../../sim/connectors/sdk-connector.js';

export type { OtlpProtocol } from '../../sim/connectors/sdk-connector.js';

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
