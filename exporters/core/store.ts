/**
 * Persistence of what must survive a restart. The interface is deliberately
 * small (load a collection, commit a batch of changes) so that a shared store
 * for several replicas can sit behind it later; the default is an embedded
 * SQLite file per exporter.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface StoreChange {
  readonly collection: string;
  readonly key: string;
  /** The record to keep; `undefined` deletes it. Must be JSON-serialisable. */
  readonly value: unknown;
}

export interface Store {
  /** Every record of a collection, ordered by key. */
  load<T>(collection: string): Promise<Array<[string, T]>>;
  /**
   * Applies all changes atomically; resolves once they are durable against a
   * process crash. When it fails, the changes are kept and written with the
   * next commit.
   */
  commit(changes: readonly StoreChange[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * SQLite in WAL mode with synchronous=NORMAL: a committed transaction is in
 * the WAL before commit returns, so `kill -9` loses nothing that was
 * committed (only a power loss can lose the last transactions).
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly select: Database.Statement;
  private readonly apply: (changes: readonly StoreChange[]) => void;
  private unsaved: StoreChange[] = [];

  constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS records (
      collection TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (collection, key)) WITHOUT ROWID`);
    this.upsert = this.db.prepare('INSERT INTO records (collection, key, value) VALUES (?, ?, ?) ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value');
    this.remove = this.db.prepare('DELETE FROM records WHERE collection = ? AND key = ?');
    this.select = this.db.prepare('SELECT key, value FROM records WHERE collection = ? ORDER BY key');
    this.apply = this.db.transaction((changes: readonly StoreChange[]) => {
      for (const c of changes) {
        if (c.value === undefined) this.remove.run(c.collection, c.key);
        else this.upsert.run(c.collection, c.key, JSON.stringify(c.value));
      }
    });
  }

  /** Opens `<dataDir>/<name>.sqlite`, creating the directory if needed. */
  static open(dataDir: string, name: string): SqliteStore {
    mkdirSync(dataDir, { recursive: true });
    return new SqliteStore(join(dataDir, `${name}.sqlite`));
  }

  async load<T>(collection: string): Promise<Array<[string, T]>> {
    const rows = this.select.all(collection) as Array<{ key: string; value: string }>;
    return rows.map((r) => [r.key, JSON.parse(r.value) as T]);
  }

  async commit(changes: readonly StoreChange[]): Promise<void> {
    // Changes a failed commit could not write go with the next one: callers
    // hand each change over once, so dropping them would lose it.
    const batch = this.unsaved.length > 0 ? [...this.unsaved, ...changes] : changes;
    if (batch.length === 0) return;
    try {
      this.apply(batch);
      this.unsaved = [];
    } catch (err) {
      this.unsaved = [...batch];
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
