/** An exporter in a child process, for restart tests: start, kill -9, start again. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./exporter-main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildExporter {
  url: string;
  /** Extra ports the instance reported, e.g. { opampPort: 41234 }. */
  ports: Record<string, number>;
  process: ChildProcess;
  kill9(): Promise<void>;
  stop(): Promise<void>;
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

export function startChildExporter(opts: ChildExporterOptions): Promise<ChildExporter> {
  const args = ['--import', 'tsx', MAIN, opts.module, opts.exportName, opts.dataDir, opts.frozenClockMs === undefined ? '-' : String(opts.frozenClockMs), ...(opts.sets ?? [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`child exporter did not get ready in 20 s: ${err}`)), 20_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`child exporter exited with ${code}: ${err}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)([^\n]*)\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const ports = Object.fromEntries([...m[2]!.matchAll(/(\w+)=(\d+)/g)].map((p) => [p[1]!, Number(p[2])]));
      resolve({
        url: m[1]!,
        ports,
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
