/**
 * `npm run bench`: every benchmark, one after the other (they share two
 * cores; running them together would measure the contention). Each prints
 * its own figures beside a peer's, measured in the same run.
 *   npm run bench [-- --quick]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick') ? ['--quick'] : [];
for (const name of ['collectors', 'connectors', 'healthsync', 'butler']) {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...quick], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
