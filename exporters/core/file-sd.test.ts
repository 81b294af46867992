import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/exporter.js';
import { FileSdWatcher, parseFileSd, type TargetGroup } from './file-sd.js';

describe('file_sd', () => {
  it('parses JSON and YAML target groups', () => {
    expect(parseFileSd('[{"targets":["a:1","b:2"],"labels":{"connector":"pg"}}]', 'x.json')).toEqual([
      { targets: ['a:1', 'b:2'], labels: { connector: 'pg' }, file: 'x.json' },
    ]);
    expect(parseFileSd('- targets: [c:3]\n', 'x.yml')).toEqual([{ targets: ['c:3'], labels: {}, file: 'x.yml' }]);
    expect(() => parseFileSd('[{"targets":"a"}]', 'x.json')).toThrow(/group 0: "targets" must be a list/);
    expect(() => parseFileSd('{', 'x.json')).toThrow(/not valid JSON/);
  });

  it('keeps the last good groups when a file turns bad, and picks up fixes', async () => {
    const dir = tempDir();
    const file = join(dir, 'targets.json');
    writeFileSync(file, '[{"targets":["a:1"]}]');
    const updates: TargetGroup[][] = [];
    const invalid: string[] = [];
    const w = new FileSdWatcher({ files: [file], refreshMs: 3_600_000, onUpdate: (g) => updates.push(g), onInvalid: (_f, m) => invalid.push(m) });
    await w.reload();
    expect(updates.at(-1)!.flatMap((g) => g.targets)).toEqual(['a:1']);
    writeFileSync(file, '[{"targets":');
    await w.reload();
    expect(invalid).toHaveLength(1);
    expect(updates).toHaveLength(1);
    await w.reload(); // left broken: still reported
    expect(invalid).toHaveLength(2);
    writeFileSync(file, '[{"targets":["a:1","b:2"]}]');
    await w.reload();
    expect(updates.at(-1)!.flatMap((g) => g.targets)).toEqual(['a:1', 'b:2']);
    rmSync(file);
    await w.reload();
    expect(invalid.at(-1)).toMatch(/cannot read/);
    expect(updates).toHaveLength(2);
  });
});
