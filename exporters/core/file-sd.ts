/**
 * Prometheus `file_sd` discovery files (JSON or YAML: a list of
 * `{targets: [...], labels: {...}}`), watched for changes. A file that does
 * not parse keeps its last good target groups, and is reported so the
 * exporter can count it.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseDocument } from 'yaml';

export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
  /** The file the group came from. */
  file: string;
}

export class FileSdError extends Error {}

/** Parses one file_sd document; throws FileSdError naming the bad entry. */
export function parseFileSd(text: string, file: string): TargetGroup[] {
  let data: unknown;
  if (/\.ya?ml$/i.test(file)) {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new FileSdError(`${file}: not valid YAML: ${doc.errors[0]!.message}`);
    data = doc.toJS();
  } else {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new FileSdError(`${file}: not valid JSON: ${(err as Error).message}`);
    }
  }
  if (data == null) return [];
  if (!Array.isArray(data)) throw new FileSdError(`${file}: expected a list of {targets, labels} groups`);
  return data.map((group: unknown, i) => {
    const g = group as { targets?: unknown; labels?: unknown };
    if (typeof g !== 'object' || g === null) throw new FileSdError(`${file}: group ${i} is not an object`);
    if (!Array.isArray(g.targets) || !g.targets.every((t) => typeof t === 'string' && t.length > 0)) {
      throw new FileSdError(`${file}: group ${i}: "targets" must be a list of non-empty strings`);
    }
    const labels = g.labels ?? {};
    if (typeof labels !== 'object' || Array.isArray(labels) || !Object.values(labels as object).every((v) => typeof v === 'string')) {
      throw new FileSdError(`${file}: group ${i}: "labels" must map label names to strings`);
    }
    return { targets: g.targets as string[], labels: labels as Record<string, string>, file };
  });
}

export interface FileSdWatcherOptions {
  files: readonly string[];
  /** Re-read every file this often too, in case a change event is missed. */
  refreshMs: number;
  /** Every group of every file, after any change (including the first load). */
  onUpdate: (groups: TargetGroup[]) => void;
  /** A file could not be read or parsed (said again at every reload while it stays so); its last good groups stay. */
  onInvalid: (file: string, message: string) => void;
  /** Further checks of a parsed file (e.g. a required label); throw FileSdError to treat the file as invalid. */
  check?: (groups: TargetGroup[], file: string) => void;
}

export class FileSdWatcher {
  private readonly groups = new Map<string, TargetGroup[]>();
  private readonly texts = new Map<string, string>();
  /** Files whose current text does not parse, with why. */
  private readonly invalid = new Map<string, string>();
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(private readonly opts: FileSdWatcherOptions) {}

  /** Loads every file once, then watches their directories (editors replace files by rename). */
  async start(): Promise<void> {
    await this.reload();
    for (const dir of new Set(this.opts.files.map((f) => dirname(f)))) {
      const names = new Set(this.opts.files.filter((f) => dirname(f) === dir).map((f) => basename(f)));
      try {
        const w = watch(dir, (_event, name) => {
          if (name && !names.has(name.toString())) return;
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => void this.reload(), 50);
        });
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // No directory yet: the periodic refresh will pick the file up.
      }
    }
    this.timer = setInterval(() => void this.reload(), this.opts.refreshMs);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  /** Re-reads every file; reports an update when any file's groups changed. */
  async reload(): Promise<void> {
    let changed = this.groups.size === 0;
    for (const file of this.opts.files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if (this.texts.get(file) !== undefined || !this.groups.has(file)) this.opts.onInvalid(file, `${file}: cannot read: ${(err as Error).message}`);
        this.texts.set(file, '');
        if (!this.groups.has(file)) this.groups.set(file, []);
        continue;
      }
      if (this.texts.get(file) === text) {
        // Still broken: say so again, so a file left broken keeps being counted.
        const problem = this.invalid.get(file);
        if (problem) this.opts.onInvalid(file, problem);
        continue;
      }
      this.texts.set(file, text);
      try {
        const groups = parseFileSd(text, file);
        this.opts.check?.(groups, file);
        this.groups.set(file, groups);
        this.invalid.delete(file);
        changed = true;
      } catch (err) {
        this.invalid.set(file, (err as Error).message);
        this.opts.onInvalid(file, (err as Error).message);
        if (!this.groups.has(file)) this.groups.set(file, []);
      }
    }
    if (changed) this.opts.onUpdate([...this.groups.values()].flat());
  }
}
