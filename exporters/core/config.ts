/**
 * Configuration: YAML files (a base and overlays, merged in order), then
 * environment overrides, then `--set` flags, validated against a schema at start. A bad value stops start-up with
 * a message that names the key and says what was expected.
 *
 * Overrides address keys by path: `FLEETWATCH_COLLECTORS__OPAMP__PORT=4321`
 * (double underscore between levels) or `--set collectors.opamp.port=4321`.
 * Their values are strings; numeric and boolean leaves of the schemas accept
 * numeric and boolean strings, and a value written as a YAML flow collection
 * (`[a, b]` or `{k: v}`) is parsed as one.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';

export class ConfigError extends Error {}

export interface ConfigInputs {
  /** YAML files, merged in order (later keys win; lists are replaced, not appended). */
  files?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** `key.path=value` strings from `--set` flags. */
  sets?: readonly string[];
}

const ENV_PREFIX = 'FLEETWATCH_';
/** Environment variables of ours that are not config keys. */
const ENV_RESERVED = new Set(['FLEETWATCH_CONFIG']);

type Tree = Record<string, unknown>;

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setPath(tree: Tree, path: string[], value: unknown, origin: string): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (!isTree(next)) throw new ConfigError(`${origin}: ${path.join('.')} goes below ${key}, which is not a section`);
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function overrideValue(raw: string): unknown {
  const trimmed = raw.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) return parseDocument(trimmed).toJS();
  return raw;
}

function readFile(file: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigError(`config file ${file} is not valid YAML: ${doc.errors[0]!.message}`);
  const data = doc.toJS() as unknown;
  if (data == null) return {};
  if (!isTree(data)) throw new ConfigError(`config file ${file} must hold a mapping of sections at the top level`);
  return data;
}

function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Merges the files, then the environment, then flags into one raw tree (later wins). */
export function rawConfig(inputs: ConfigInputs): Tree {
  const tree = (inputs.files ?? []).reduce<Tree>((merged, file) => deepMerge(merged, readFile(file)), {});
  for (const [name, value] of Object.entries(inputs.env ?? {})) {
    if (!name.startsWith(ENV_PREFIX) || ENV_RESERVED.has(name) || value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).toLowerCase().split('__');
    setPath(tree, path, overrideValue(value), `environment variable ${name}`);
  }
  for (const set of inputs.sets ?? []) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set ${set}: expected key.path=value`);
    setPath(tree, set.slice(0, eq).split('.'), overrideValue(set.slice(eq + 1)), `--set ${set}`);
  }
  return tree;
}

function valueAt(tree: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), tree);
}

function describeIssue(issue: z.ZodIssue, raw: Tree): string {
  const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') return `${key}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  const given = valueAt(raw, issue.path);
  const got = given === undefined || typeof given === 'object' ? '' : ` (got ${JSON.stringify(given)})`;
  return `${key}: ${issue.message}${got}`;
}

export function loadConfig<S extends z.ZodTypeAny>(schema: S, inputs: ConfigInputs): z.output<S> {
  const raw = rawConfig(inputs);
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`invalid configuration:\n${result.error.issues.map((i) => `  - ${describeIssue(i, raw)}`).join('\n')}`);
  }
  return result.data;
}

/** Reads a secret given inline (from env or flags) or by file; trims a trailing newline. */
export function readSecret(inline: string | undefined, file: string | undefined, key: string): string | undefined {
  if (inline) return inline;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`${key}_file: cannot read ${file}: ${(err as Error).message}`);
  }
}

// Schema leaves that accept the strings overrides produce.

export const num = (min?: number, max?: number) => {
  let n = z.number({ invalid_type_error: 'expected a number' });
  if (min !== undefined) n = n.min(min, `expected a number >= ${min}`);
  if (max !== undefined) n = n.max(max, `expected a number <= ${max}`);
  return z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v), n);
};

export const int = (min?: number, max?: number) =>
  num(min, max).pipe(z.number().int('expected a whole number'));

export const bool = () =>
  z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ invalid_type_error: 'expected true or false' }));

export const str = () =>
  z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string({ invalid_type_error: 'expected a string' }));

export const url = () => str().pipe(z.string().url('expected a URL such as http://host:port/path'));

export const port = () => int(0, 65535);

/** A bearer token an endpoint requires when set, given inline (env) or by file; see readSecret. */
export const bearerTokenFields = () => ({
  token: str().optional(),
  token_file: str().optional(),
});

/** Host and port an HTTP listener binds to. */
export const listenSchema = (defaultPort: number) =>
  z
    .object({
      host: str().default('0.0.0.0'),
      port: port().default(defaultPort),
    })
    .strict()
    .default({});
