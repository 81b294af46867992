/**
 * The real Prometheus tools the tests run. A missing binary fails the test
 * that needs it, loudly: `scripts/install-test-deps.sh` installs them.
 */
import { spawnSync } from 'node:child_process';

const CANDIDATES: Record<string, string[]> = {
  promtool: ['promtool'],
  amtool: ['amtool'],
  prometheus: ['prometheus'],
  alertmanager: ['prometheus-alertmanager', 'alertmanager'],
};

export function requireBinary(name: keyof typeof CANDIDATES): string {
  for (const candidate of CANDIDATES[name]!) {
    const found = spawnSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  throw new Error(`${name} is not installed (looked for ${CANDIDATES[name]!.join(', ')}); run scripts/install-test-deps.sh`);
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(binary: string, args: string[], input?: string): RunResult {
  const r = spawnSync(binary, args, { input, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `promtool check metrics` on an exposition; returns its complaints ('' when clean). */
export function promtoolCheckMetrics(text: string): string {
  const r = run(requireBinary('promtool'), ['check', 'metrics'], text);
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`.trim() || `promtool exited ${r.status}`;
}
