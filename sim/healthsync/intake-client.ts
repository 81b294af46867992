/**
 * How the simulated sources reach the healthsync exporter: `POST` to its
 * receiver-compatible intake (with `?api_key=` when configured), and the two
 * operator routes an operator uses to clear errors and delete a stream.
 */
import type { IntakeBody } from './format.js';

const TIMEOUT_MS = 10_000;

export interface IntakeStats {
  /** Payloads the intake accepted (200). */
  accepted: number;
  /** Payloads it answered with anything else. */
  refused: number;
  /** Payloads that got no answer (exporter down, timeout). */
  unanswered: number;
  /** The largest body sent, in bytes. */
  largestBytes: number;
}

export class IntakeClient {
  readonly stats: IntakeStats = { accepted: 0, refused: 0, unanswered: 0, largestBytes: 0 };
  private readonly intake: URL;

  constructor(
    intakeUrl: string,
    private readonly apiKey: string | undefined,
  ) {
    this.intake = this.withKey(new URL(intakeUrl));
  }

  /** POSTs one body (an object, or raw JSON text); resolves to the status, 0 when nothing answered. */
  async post(body: IntakeBody | string): Promise<number> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    this.stats.largestBytes = Math.max(this.stats.largestBytes, Buffer.byteLength(text));
    const status = await this.request('POST', this.intake, text);
    if (status === 200) this.stats.accepted += 1;
    else if (status === 0) this.stats.unanswered += 1;
    else this.stats.refused += 1;
    return status;
  }

  /** `sts health clear-error`, against the exporter: every active error of the stream or of one sub stream. */
  clearErrors(urn: string, subStreamId?: string): Promise<number> {
    const target = this.operatorUrl('/api/v1/healthsync/clear-errors', urn);
    if (subStreamId !== undefined) target.searchParams.set('sub_stream_id', subStreamId);
    return this.request('POST', target);
  }

  /** `sts health delete`, against the exporter. */
  deleteStream(urn: string): Promise<number> {
    return this.request('DELETE', this.operatorUrl('/api/v1/healthsync/streams', urn));
  }

  private operatorUrl(path: string, urn: string): URL {
    const target = this.withKey(new URL(path, this.intake));
    target.searchParams.set('urn', urn);
    return target;
  }

  private withKey(target: URL): URL {
    if (this.apiKey) target.searchParams.set('api_key', this.apiKey);
    return target;
  }

  private async request(method: string, target: URL, body?: string): Promise<number> {
    try {
      const response = await fetch(target, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }
}
