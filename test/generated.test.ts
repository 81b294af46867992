import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { artifacts } from '../scripts/artifacts.js';

const root = fileURLToPath(new URL('../', import.meta.url));

describe('generated artefacts', () => {
  it.each(Object.entries(artifacts()))('%s is committed and up to date (run `npm run generate`)', (path, content) => {
    let committed: string;
    try {
      committed = readFileSync(root + path, 'utf8');
    } catch {
      throw new Error(`${path} is missing: run \`npm run generate\` and commit it`);
    }
    expect(committed === content, `${path} is stale: run \`npm run generate\` and commit it`).toBe(true);
  });
});
