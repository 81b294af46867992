import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tempDir } from '../../test/support/exporter.js';
import { bool, ConfigError, int, loadConfig, str } from './config.js';

const schema = z
  .object({
    data_dir: str().default('./data'),
    things: z
      .object({ port: int(1, 65535).default(80), on: bool().default(false), names: z.array(z.string()).default([]) })
      .strict()
      .default({}),
  })
  .strict();

describe('loadConfig', () => {
  it('applies defaults, then the file, then the environment, then --set', () => {
    const file = join(tempDir(), 'c.yaml');
    writeFileSync(file, 'things:\n  port: 81\n  on: true\n');
    expect(loadConfig(schema, {})).toEqual({ data_dir: './data', things: { port: 80, on: false, names: [] } });
    expect(loadConfig(schema, { files: [file] }).things).toEqual({ port: 81, on: true, names: [] });
    const env = { FLEETWATCH_THINGS__PORT: '82', FLEETWATCH_THINGS__NAMES: '[a, b]', OTHER: 'x' };
    expect(loadConfig(schema, { files: [file], env }).things).toEqual({ port: 82, on: true, names: ['a', 'b'] });
    expect(loadConfig(schema, { files: [file], env, sets: ['things.port=83', 'things.on=false'] }).things).toEqual({ port: 83, on: false, names: ['a', 'b'] });
  });

  it('names the key and what was expected', () => {
    expect(() => loadConfig(schema, { sets: ['things.port=http'] })).toThrow(/things\.port: expected a number \(got "http"\)/);
    expect(() => loadConfig(schema, { sets: ['things.port=70000'] })).toThrow(/things\.port: expected a number <= 65535/);
    expect(() => loadConfig(schema, { sets: ['things.prot=1'] })).toThrow(/things: unknown key\(s\) "prot"/);
    expect(() => loadConfig(schema, { env: { FLEETWATCH_THINGS__ON: 'yes' } })).toThrow(/things\.on: expected true or false/);
    expect(() => loadConfig(schema, { sets: ['noequals'] })).toThrow(ConfigError);
  });

  it('merges overlay files over a base', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'base.yaml'), 'data_dir: /var/lib/x\nthings:\n  port: 81\n  names: [a, b]\n');
    writeFileSync(join(dir, 'overlay.yaml'), 'things:\n  on: true\n  names: [c]\n');
    expect(loadConfig(schema, { files: [join(dir, 'base.yaml'), join(dir, 'overlay.yaml')] })).toEqual({ data_dir: '/var/lib/x', things: { port: 81, on: true, names: ['c'] } });
  });

  it('says which file is broken', () => {
    const file = join(tempDir(), 'bad.yaml');
    writeFileSync(file, 'things: [unclosed\n');
    expect(() => loadConfig(schema, { files: [file] })).toThrow(/bad\.yaml is not valid YAML/);
    expect(() => loadConfig(schema, { files: ['/nonexistent.yaml'] })).toThrow(/cannot read config file/);
  });
});
