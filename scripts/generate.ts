/** `npm run generate`: writes every generated artefact (dashboards, rules, references). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { artifacts } from './artifacts.js';

const root = fileURLToPath(new URL('../', import.meta.url));
for (const [path, content] of Object.entries(artifacts())) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  console.log(`wrote ${path}`);
}
