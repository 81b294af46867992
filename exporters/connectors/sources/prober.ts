/**
 * Active probes of connector instances, blackbox_exporter style: each probe
 * is one GET on a fresh connection (no keep-alive, so a restarted or
 * wedged process is seen as such), bounded by a timeout, with status 0 when
 * no complete response came. A round probes /health and /ready of every
 * target, a bounded number of instances at a time.
 */
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { VERSION } from '../../core/version.js';
import type { ProbeOutcome } from '../observations.js';
import { parseAddress } from '../targets.js';

export interface ProberOptions {
  timeoutMs: number;
  /** Instances probed at once; each probe of an instance is two GETs. */
  concurrency: number;
  healthPath: string;
  readyPath: string;
}

export interface ProbeTarget {
  key: string;
  /** host:port */
  address: string;
}

const USER_AGENT = `fleetwatch-connectors/${VERSION}`;

/** One GET; never rejects. The duration runs until the body ends or the timeout. */
export function probeOnce(host: string, port: number, path: string, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    let settled = false;
    const finish = (status: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ status, durationMs: performance.now() - started });
    };
    const req = request({ host, port, path, method: 'GET', agent: false, headers: { 'user-agent': USER_AGENT, accept: '*/*' } }, (res) => {
      res.on('end', () => finish(res.statusCode ?? 0));
      res.on('error', () => finish(0));
      res.resume();
    });
    req.on('error', () => finish(0));
    req.end();
    const timer = setTimeout(() => finish(0), timeoutMs);
  });
}

export class Prober {
  constructor(private readonly opts: ProberOptions) {}

  /** Probes both endpoints of every target; `onResult` gets each instance as it completes. */
  async round(targets: readonly ProbeTarget[], onResult: (key: string, health: ProbeOutcome, ready: ProbeOutcome) => void): Promise<void> {
    const { timeoutMs, healthPath, readyPath } = this.opts;
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const target = targets[next++]!;
        const { host, port } = parseAddress(target.address, 0);
        const [health, ready] = await Promise.all([probeOnce(host, port, healthPath, timeoutMs), probeOnce(host, port, readyPath, timeoutMs)]);
        onResult(target.key, health, ready);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency, targets.length) }, worker));
  }
}
