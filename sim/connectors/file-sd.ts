/**
 * The simulated instances as a Prometheus file_sd file, for the connectors
 * exporter's `file_sd.files`: one group per connector, named by the
 * `connector` label. Written atomically (a temp file beside it, then a
 * rename), so the exporter never reads half a file.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const CONNECTOR_LABEL = 'connector';

export interface FileSdGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** One group per connector, its instances' `host:port`. */
export function connectorGroups(instances: Iterable<{ connector: string; id: string }>): FileSdGroup[] {
  const byConnector = new Map<string, string[]>();
  for (const i of instances) {
    const targets = byConnector.get(i.connector) ?? [];
    targets.push(i.id);
    byConnector.set(i.connector, targets);
  }
  return [...byConnector].map(([connector, targets]) => ({ targets, labels: { [CONNECTOR_LABEL]: connector } }));
}

/**
 * What a broken generator writes: the same targets, but the connector named
 * by a label the exporter does not read, so it refuses the whole file. The
 * generation number makes every rewrite differ, so each is read (and
 * refused) again.
 */
export function brokenGroups(groups: readonly FileSdGroup[], generation: number): FileSdGroup[] {
  return groups.map((g) => ({ targets: g.targets, labels: { connector_name: g.labels[CONNECTOR_LABEL] ?? '', generation: String(generation) } }));
}

export async function writeFileSd(path: string, groups: readonly FileSdGroup[]): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(temp, `${JSON.stringify(groups, null, 2)}\n`);
  await rename(temp, path);
}
