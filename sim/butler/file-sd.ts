/**
 * The simulated Butlers as a Prometheus file_sd file, for the exporter's
 * butler.file_sd.files. Written atomically (a temp file in the same
 * directory, then a rename), so a watcher never reads half a list.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeFileSd(path: string, targets: readonly string[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify([{ targets, labels: { simulated: 'true' } }], null, 2)}\n`);
  await rename(temp, path);
}
