/**
 * Reads Butler's own metrics (internal/metrics/metrics.go, unchanged since
 * v1.1) out of a parsed exposition: which managers, remote files and
 * written files exist, and the gauges the phases are derived from. Go and
 * process families are ignored, except process_start_time_seconds, which
 * tells a Butler restart apart from a change.
 */
import type { Exposition, Sample } from '../exposition-parser.js';
import { fileLabel, type ButlerSnapshot, type ManagerSample, type RemoteFileSample } from '../observations.js';

/** Per-manager families, and the field each feeds (undefined: presence only). */
const MANAGER_FAMILIES: Record<string, keyof ManagerSample | undefined> = {
  butler_localconfig_reload_count: 'reloadCount',
  butler_localconfig_reload_success: 'reloadSuccess',
  butler_localconfig_reload_time: 'reloadTimeSeconds',
  butler_lastknowngood_cached: 'cached',
  butler_lastknowngood_restored: 'restored',
  butler_manager_reload_retry: undefined,
  butler_remoterepo_up: undefined,
  butler_remoterepo_sanity: undefined,
  butler_local_remote_insync: undefined,
};

/** Per remote file families ({repo, config_file}). */
const REMOTE_FAMILIES: Record<string, Exclude<keyof RemoteFileSample, 'repo' | 'configFile'> | undefined> = {
  butler_remoterepo_contact_success: 'contactSuccess',
  butler_remoterepo_contact_time: 'contactTimeSeconds',
  butler_localconfig_render_success: 'renderSuccess',
  butler_localconfig_render_time: undefined,
  butler_remoterepo_config_valid: 'configValid',
};

/** Per written file families ({config_file} = destination basename). */
const WRITTEN_FAMILIES = new Set(['butler_localconfig_write_success', 'butler_localconfig_write_time']);

/**
 * config_valid{repo="local"} is set when merging the primary files fails: it
 * names a local file, not a remote one, so it is not a remote file's render.
 */
const MERGE_REPO = 'local';

/** A well-formed exposition that is not what Butler writes. */
export class NotButlerError extends Error {}

function label(sample: Sample, name: string): string {
  const value = sample.labels[name];
  if (value === undefined) throw new NotButlerError(`${sample.name} has no "${name}" label, which Butler always sets`);
  return value;
}

/** The snapshot of one good scrape; throws NotButlerError when a Butler family lacks its labels. */
export function butlerSnapshot(exposition: Exposition): ButlerSnapshot {
  const snapshot: ButlerSnapshot = { managers: new Map(), remoteFiles: new Map(), writtenFiles: new Map() };
  for (const sample of exposition.samples) {
    const name = sample.name;
    if (!name.startsWith('butler_')) {
      if (name === 'process_start_time_seconds') snapshot.processStartSeconds = sample.value;
      continue;
    }
    if (name in MANAGER_FAMILIES) {
      const manager = label(sample, 'manager');
      let entry = snapshot.managers.get(manager);
      if (!entry) snapshot.managers.set(manager, (entry = {}));
      const field = MANAGER_FAMILIES[name];
      if (field) entry[field] = sample.value;
      continue;
    }
    if (name in REMOTE_FAMILIES) {
      const repo = label(sample, 'repo');
      const configFile = label(sample, 'config_file');
      if (repo === MERGE_REPO && name === 'butler_remoterepo_config_valid') continue;
      const key = fileLabel(repo, configFile);
      let entry = snapshot.remoteFiles.get(key);
      if (!entry) snapshot.remoteFiles.set(key, (entry = { repo, configFile }));
      const field = REMOTE_FAMILIES[name];
      if (field) entry[field] = sample.value;
      continue;
    }
    if (WRITTEN_FAMILIES.has(name)) {
      const file = label(sample, 'config_file');
      let entry = snapshot.writtenFiles.get(file);
      if (!entry) snapshot.writtenFiles.set(file, (entry = { file }));
      if (name === 'butler_localconfig_write_success') entry.writeSuccess = sample.value;
    }
    // butler_remoterepo_contact_retry{,_time}: its repo label holds the manager; not used.
  }
  return snapshot;
}
