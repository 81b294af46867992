import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/exporter.js';
import { SqliteStore } from './store.js';

describe('SqliteStore', () => {
  it('keeps, deletes and reloads records, ordered by key', async () => {
    const path = join(tempDir(), 'x.sqlite');
    const store = new SqliteStore(path);
    await store.commit([
      { collection: 'c', key: 'b', value: { n: 2 } },
      { collection: 'c', key: 'a', value: { n: 1 } },
      { collection: 'd', key: 'a', value: 'other' },
    ]);
    await store.commit([{ collection: 'c', key: 'b', value: undefined }]);
    await store.close();
    const reopened = new SqliteStore(path);
    expect(await reopened.load('c')).toEqual([['a', { n: 1 }]]);
    expect(await reopened.load('d')).toEqual([['a', 'other']]);
    await reopened.close();
  });

  it('writes what a failed commit could not with the next one', async () => {
    const store = new SqliteStore(join(tempDir(), 'y.sqlite'));
    const internals = store as unknown as { apply: (c: unknown) => void };
    const working = internals.apply;
    internals.apply = () => {
      throw new Error('disk full');
    };
    await expect(store.commit([{ collection: 'c', key: 'a', value: 1 }])).rejects.toThrow('disk full');
    internals.apply = working;
    await store.commit([{ collection: 'c', key: 'b', value: 2 }]);
    expect(await store.load('c')).toEqual([['a', 1], ['b', 2]]);
    await store.close();
  });
});
