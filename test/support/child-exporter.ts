/** A script in a child process that prints `READY …` when it is up: for restart tests and benchmarks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./exporter-main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ReadyProcess {
  /** What followed READY on its first line. */
  ready: string;
  process: ChildProcess;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs `node --import tsx <script> <args>` from the repo root and waits for its READY line. */
export function startReadyProcess(script: string, args: string[], timeoutMs = 20_000): Promise<ReadyProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not get ready in ${timeoutMs} ms: ${err}`)), timeoutMs);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${err}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY ([^\n]*)\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        ready: m[1]!,
        process: child,
        kill9: async () => {
          child.kill('SIGKILL');
          await exited;
        },
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

export interface ChildExporter extends ReadyProcess {
  url: string;
  /** Extra ports the instance reported, e.g. { opampPort: 41234 }. */
  ports: Record<string, number>;
}

export interface ChildExporterOptions {
  /** Path from the repo root, e.g. exporters/collectors/index.ts. */
  module: string;
  exportName: string;
  dataDir: string;
  /** A fixed clock for the child (ms); omit for the system clock. */
  frozenClockMs?: number;
  sets?: string[];
}

export async function startChildExporter(opts: ChildExporterOptions): Promise<ChildExporter> {
  const args = [opts.module, opts.exportName, opts.dataDir, opts.frozenClockMs === undefined ? '-' : String(opts.frozenClockMs), ...(opts.sets ?? [])];
  const child = await startReadyProcess(MAIN, args);
  const [url, ...rest] = child.ready.split(' ');
  const ports = Object.fromEntries(rest.map((p) => p.split('=')).filter((p) => p.length === 2).map(([k, v]) => [k!, Number(v)]));
  return { ...child, url: url!, ports };
}
