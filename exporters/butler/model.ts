/**
 * The Butler fleet as derived: per target whether it answers, and per
 * manager, remote file and written file the phase values. Pure and
 * deterministic: observations and `tick(now)` are the only inputs.
 *
 * Consecutive good scrapes of one target are compared (manager-phases.ts).
 * The baseline is Butler's values at the previous good scrape, kept in the
 * store so a restart of this exporter loses no comparison. When Butler
 * itself restarts (process_start_time_seconds changes, or, without it, the
 * reload series of a manager without manager-timeout-ok start again) every
 * gauge starts again from nothing, so the baseline is empty: what is there
 * now happened since the restart, and no reload or restore is invented from
 * the reset. The LKG cache is in Butler's memory, so the LKG time goes too.
 *
 * Anything Butler stops exporting is kept for `staleAfterMs` after the first
 * good scrape without it, then dropped (Butler itself never deletes series:
 * adobe/butler#5); so is a target discovery no longer lists. Meanwhile only
 * its counters are shown (so they carry on if it comes back), none of its
 * gauges: their values are no longer current.
 */
import { EntityVersions } from '../core/entity-versions.js';
import type { StoreChange } from '../core/store.js';
import {
  applyRemoteLog,
  matchRemoteFile,
  updateRemoteFile,
  updateWrittenFile,
  type RemoteFileRecord,
  type WrittenFileRecord,
} from './file-phases.js';
import { applyReloadLog, deriveManager, newManagerRecord, reloadSeriesRestarted, seedManager, type ManagerRecord } from './manager-phases.js';
import type { ButlerObservation, ButlerSnapshot } from './observations.js';

export interface TargetRecord {
  instance: string;
  up: boolean;
  /** The last good scrape (ms). */
  lastScrapeAt?: number;
  processStartSeconds?: number;
  /** A good scrape has given a baseline. */
  scraped: boolean;
  /** When discovery stopped listing it (ms). */
  removedAt?: number;
}

export interface ButlerModelOptions {
  staleAfterMs: number;
  /** Butler's manager-timeout-ok for a manager, as configured here. */
  timeoutOk: (manager: string) => boolean;
}

/** One target and everything derived from it. */
export interface InstanceState {
  target: TargetRecord;
  managers: Map<string, ManagerRecord>;
  remoteFiles: Map<string, RemoteFileRecord>;
  writtenFiles: Map<string, WrittenFileRecord>;
}

export const COLLECTIONS = ['targets', 'managers', 'remote_files', 'written_files'] as const;
type Collection = (typeof COLLECTIONS)[number];
/** What the store holds, in one of the collections. */
export type ButlerRecord = TargetRecord | ManagerRecord | RemoteFileRecord | WrittenFileRecord;

const storeKey = (instance: string, name: string) => `${instance}\t${name}`;

/** Record fields /metrics does not show: changing them needs a commit, not a re-render. */
const UNSHOWN_FIELDS = new Set(['butler', 'lastLog', 'processStartSeconds', 'scraped']);
/** Fields /metrics shows only by whether they are set (a missing record shows no gauges). */
const SHOWN_IF_SET = new Set(['missingSince', 'removedAt']);

/** The parts of a record /metrics shows; a change bumps the entity's version. */
function visible(rec: ButlerRecord): string {
  return JSON.stringify(rec, (key, value: unknown) => (UNSHOWN_FIELDS.has(key) ? undefined : SHOWN_IF_SET.has(key) ? value !== undefined : value));
}

/** The view's key of an entity block, and of its render version. */
export const entityKey = (instance: string, entity: string) => `${instance}\u0000${entity}`;

export class ButlerModel {
  private readonly instances = new Map<string, InstanceState>();
  /** Records to write (or delete) at the next commit, by store key: [collection, instance, entity]. */
  private readonly dirty = new Map<string, [Collection, string, string]>();
  /** Render versions by entityKey (entity: `target`, `m:<manager>`, `r:<file>`, `w:<file>`). */
  private readonly versions = new EntityVersions();

  constructor(private readonly opts: ButlerModelOptions) {}

  /** Records from the store, as they were committed. */
  restore(collection: Collection, records: Iterable<ButlerRecord>): void {
    for (const rec of records) {
      const st = this.state(rec.instance);
      if (collection === 'targets') st.target = rec as TargetRecord;
      else if (collection === 'managers') st.managers.set((rec as ManagerRecord).manager, rec as ManagerRecord);
      else if (collection === 'remote_files') st.remoteFiles.set((rec as RemoteFileRecord).file, rec as RemoteFileRecord);
      else st.writtenFiles.set((rec as WrittenFileRecord).file, rec as WrittenFileRecord);
    }
    for (const st of this.instances.values()) this.bumpAll(st);
  }

  /** The render version of an entity block. */
  version(instance: string, entity: string): number {
    return this.versions.get(entityKey(instance, entity));
  }

  all(): IterableIterator<InstanceState> {
    return this.instances.values();
  }

  get(instance: string): InstanceState | undefined {
    return this.instances.get(instance);
  }

  /** A target discovery lists now. */
  knows(instance: string): boolean {
    const st = this.instances.get(instance);
    return st !== undefined && st.target.removedAt === undefined;
  }

  /** Applies one observation; false when a log observation named nothing known. */
  apply(obs: ButlerObservation): boolean {
    switch (obs.kind) {
      case 'targets':
        this.applyTargets(obs.instances, obs.at);
        return true;
      case 'scrape':
        return this.applyScrape(obs.instance, obs.snapshot, obs.at);
      case 'scrape_failed': {
        const st = this.instances.get(obs.instance);
        if (!st) return false;
        this.change(st, 'targets', 'target', st.target, () => void (st.target.up = false));
        return true;
      }
      case 'reload_logged': {
        const st = this.instances.get(obs.instance);
        if (!st) return false;
        let rec = st.managers.get(obs.manager);
        if (!rec) {
          // Known from the log before any scrape shows it: dropped unless one does.
          rec = { ...newManagerRecord(obs.instance, obs.manager), missingSince: obs.at };
          st.managers.set(obs.manager, rec);
        }
        const r = rec;
        this.change(st, 'managers', `m:${obs.manager}`, r, () => applyReloadLog(r, obs.code, obs.loggedAt, obs.at, this.opts.timeoutOk(obs.manager)));
        return true;
      }
      case 'remote_logged': {
        const st = this.instances.get(obs.instance);
        const rec = st && matchRemoteFile(st.remoteFiles.values(), obs.location);
        if (!st || !rec) return false;
        this.change(st, 'remote_files', `r:${rec.file}`, rec, () => applyRemoteLog(rec, obs.code, obs.loggedAt));
        return true;
      }
    }
  }

  /** Drops what has been gone longer than the grace period. */
  tick(now: number): void {
    const expired = (since: number | undefined) => since !== undefined && now - since >= this.opts.staleAfterMs;
    for (const st of [...this.instances.values()]) {
      if (expired(st.target.removedAt)) {
        for (const entity of this.entityKeys(st)) {
          this.markDirty(st, entity);
          this.versions.delete(entityKey(st.target.instance, entity));
        }
        this.instances.delete(st.target.instance);
        continue;
      }
      for (const [name, rec] of st.managers) if (expired(rec.missingSince)) this.drop(st, st.managers, name, `m:${name}`);
      for (const [name, rec] of st.remoteFiles) if (expired(rec.missingSince)) this.drop(st, st.remoteFiles, name, `r:${name}`);
      for (const [name, rec] of st.writtenFiles) if (expired(rec.missingSince)) this.drop(st, st.writtenFiles, name, `w:${name}`);
    }
  }

  /** Records changed since the last call, for the store (value undefined: delete). */
  takeChanges(): StoreChange[] {
    const changes: StoreChange[] = [];
    for (const [collection, instance, entity] of this.dirty.values()) {
      changes.push({ collection, key: storeKey(instance, entity), value: this.lookup(collection, instance, entity) });
    }
    this.dirty.clear();
    return changes;
  }

  private applyTargets(instances: readonly string[], at: number): void {
    const listed = new Set(instances);
    for (const instance of listed) {
      const st = this.state(instance);
      if (st.target.removedAt !== undefined) {
        this.change(st, 'targets', 'target', st.target, () => delete st.target.removedAt);
        this.bumpAll(st);
      }
    }
    for (const st of this.instances.values()) {
      if (!listed.has(st.target.instance) && st.target.removedAt === undefined) {
        this.change(st, 'targets', 'target', st.target, () => void (st.target.removedAt = at));
        // Its managers and files hide their gauges with it.
        this.bumpAll(st);
      }
    }
  }

  private applyScrape(instance: string, snap: ButlerSnapshot, at: number): boolean {
    const st = this.instances.get(instance);
    if (!st) return false;
    const target = st.target;
    const hasBaseline = target.scraped;
    const restarted = hasBaseline && this.butlerRestarted(st, snap);
    const ctx = { at, previousAt: target.lastScrapeAt };

    for (const [name, cur] of snap.managers) {
      let rec = st.managers.get(name);
      if (!rec) st.managers.set(name, (rec = newManagerRecord(instance, name)));
      const r = rec;
      this.change(st, 'managers', `m:${name}`, r, () => {
        // The LKG cache lived in the old process' memory.
        if (restarted) delete r.lkg;
        if (!hasBaseline) seedManager(r, cur);
        else deriveManager(r, restarted ? {} : r.butler, cur, ctx);
        r.butler = cur;
        delete r.missingSince;
      });
    }
    for (const [name, rec] of st.managers) {
      if (snap.managers.has(name)) continue;
      this.change(st, 'managers', `m:${name}`, rec, () => {
        if (restarted) delete rec.lkg;
        rec.butler = {};
        rec.missingSince ??= at;
      });
    }

    for (const [file, cur] of snap.remoteFiles) {
      let rec = st.remoteFiles.get(file);
      if (!rec) st.remoteFiles.set(file, (rec = { instance, file, repo: cur.repo, configFile: cur.configFile }));
      const r = rec;
      this.change(st, 'remote_files', `r:${file}`, r, () => {
        updateRemoteFile(r, cur);
        delete r.missingSince;
      });
    }
    for (const [file, rec] of st.remoteFiles) {
      if (!snap.remoteFiles.has(file) && rec.missingSince === undefined) this.change(st, 'remote_files', `r:${file}`, rec, () => void (rec.missingSince = at));
    }

    for (const [file, cur] of snap.writtenFiles) {
      let rec = st.writtenFiles.get(file);
      if (!rec) st.writtenFiles.set(file, (rec = { instance, file }));
      const r = rec;
      this.change(st, 'written_files', `w:${file}`, r, () => {
        updateWrittenFile(r, cur);
        delete r.missingSince;
      });
    }
    for (const [file, rec] of st.writtenFiles) {
      if (!snap.writtenFiles.has(file) && rec.missingSince === undefined) this.change(st, 'written_files', `w:${file}`, rec, () => void (rec.missingSince = at));
    }

    this.change(st, 'targets', 'target', target, () => {
      target.up = true;
      target.lastScrapeAt = at;
      target.scraped = true;
      if (snap.processStartSeconds === undefined) delete target.processStartSeconds;
      else target.processStartSeconds = snap.processStartSeconds;
    });
    return true;
  }

  private butlerRestarted(st: InstanceState, snap: ButlerSnapshot): boolean {
    const before = st.target.processStartSeconds;
    const after = snap.processStartSeconds;
    if (before !== undefined && after !== undefined) return before !== after;
    // Without process_start_time_seconds: Butler deletes reload series only for
    // managers with manager-timeout-ok, so for any other manager, series that
    // started again mean a new process.
    for (const [name, cur] of snap.managers) {
      const rec = st.managers.get(name);
      if (rec && !this.opts.timeoutOk(name) && reloadSeriesRestarted(rec.butler, cur)) return true;
    }
    return false;
  }

  /** Runs `mutate` on a record; marks it for the store if it changed, and bumps its version if /metrics shows the change. */
  private change(st: InstanceState, collection: Collection, entity: string, rec: ButlerRecord, mutate: () => void): void {
    const before = JSON.stringify(rec);
    const shownBefore = visible(rec);
    mutate();
    if (JSON.stringify(rec) !== before) this.dirty.set(`${collection}\t${storeKey(rec.instance, entity)}`, [collection, rec.instance, entity]);
    const key = entityKey(st.target.instance, entity);
    if (visible(rec) !== shownBefore || this.versions.get(key) === 0) this.versions.bump(key);
  }

  /** Every entity of a target re-rendered: what it shows depends on the target's state. */
  private bumpAll(st: InstanceState): void {
    for (const entity of this.entityKeys(st)) this.versions.bump(entityKey(st.target.instance, entity));
  }

  private drop<R>(st: InstanceState, map: Map<string, R>, name: string, entity: string): void {
    map.delete(name);
    this.versions.delete(entityKey(st.target.instance, entity));
    this.markDirty(st, entity);
  }

  private markDirty(st: InstanceState, entity: string): void {
    const collection: Collection = entity === 'target' ? 'targets' : entity.startsWith('m:') ? 'managers' : entity.startsWith('r:') ? 'remote_files' : 'written_files';
    this.dirty.set(`${collection}\t${storeKey(st.target.instance, entity)}`, [collection, st.target.instance, entity]);
  }

  private lookup(collection: Collection, instance: string, entity: string): ButlerRecord | undefined {
    const st = this.instances.get(instance);
    if (!st) return undefined;
    const name = entity.slice(2);
    if (collection === 'targets') return st.target;
    if (collection === 'managers') return st.managers.get(name);
    if (collection === 'remote_files') return st.remoteFiles.get(name);
    return st.writtenFiles.get(name);
  }

  private *entityKeys(st: InstanceState): Generator<string> {
    yield 'target';
    for (const name of st.managers.keys()) yield `m:${name}`;
    for (const name of st.remoteFiles.keys()) yield `r:${name}`;
    for (const name of st.writtenFiles.keys()) yield `w:${name}`;
  }

  private state(instance: string): InstanceState {
    let st = this.instances.get(instance);
    if (!st) {
      st = {
        target: { instance, up: false, scraped: false },
        managers: new Map(),
        remoteFiles: new Map(),
        writtenFiles: new Map(),
      };
      this.instances.set(instance, st);
      this.versions.bump(entityKey(instance, 'target'));
    }
    return st;
  }
}
