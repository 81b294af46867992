/** Runs an exporter for a test: loopback, port 0, a temp data dir, a manual clock, no logs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../exporters/core/clock.js';
import { loadConfig } from '../../exporters/core/config.js';
import { silentLogger } from '../../exporters/core/log.js';
import { startExporter, type ExporterDefinition, type RunningExporter, type SectionBase } from '../../exporters/core/runtime.js';

export function tempDir(prefix = 'fleetwatch-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestExporterOptions {
  clock?: ManualClock;
  dataDir?: string;
  /** `key.path=value` overrides inside the exporter's section. */
  sets?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface TestExporter extends RunningExporter {
  clock: ManualClock;
  dataDir: string;
  /** GET /metrics as text. */
  scrape(): Promise<string>;
}

export async function startTestExporter(def: ExporterDefinition, opts: TestExporterOptions = {}): Promise<TestExporter> {
  const clock = opts.clock ?? new ManualClock();
  const dataDir = opts.dataDir ?? tempDir();
  const sets = ['listen.host=127.0.0.1', 'listen.port=0', ...(opts.sets ?? [])];
  const section = loadConfig(def.configSchema, { sets }) as SectionBase;
  const running = await startExporter(def, section, { dataDir, clock, log: silentLogger, env: opts.env ?? {} });
  return {
    ...running,
    clock,
    dataDir,
    scrape: async () => {
      const response = await fetch(`${running.url}/metrics`);
      return response.text();
    },
  };
}

/** The value of one sample in an exposition, or undefined if absent. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}
