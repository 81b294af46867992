/**
 * A parser for the Prometheus text exposition format 0.0.4, as Butler's Go
 * client writes it: `# HELP` and `# TYPE` lines, other comments, samples
 * `name{label="value",...} value [timestamp]` with `\\`, `\"` and `\n`
 * escapes in label values, NaN and ±Inf values, millisecond timestamps.
 *
 * It is strict where a lenient reading would put wrong numbers in the
 * model: anything it cannot read exactly is an ExpositionError naming the
 * line and what was expected, and the whole document is refused.
 *
 * Values follow Go's ParseFloat for decimal numbers, `NaN`, `Inf` and
 * `Infinity` (any letter case, optional sign); hexadecimal floats, which
 * no Prometheus client writes, are refused.
 */

export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch, when the exposition gives one. */
  readonly timestampMs?: number;
}

export interface Exposition {
  readonly samples: Sample[];
  readonly types: Map<string, MetricKind>;
  readonly help: Map<string, string>;
}

export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

const KINDS = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Characters of label names (1) and, with ':', of metric names (2); scanned by char code for speed. */
const NAME_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[a-zA-Z0-9_]/.test(ch)) NAME_CHARS[c] = 3;
  if (ch === ':') NAME_CHARS[c] = 2;
}
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
const TIMESTAMP = /^-?\d+$/;

const SPACE = 0x20;
const TAB = 0x09;

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

/** A float as Go's ParseFloat reads it (decimal only), or undefined. */
export function parseFloatValue(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  const inf = INFINITY.exec(token);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (token.toLowerCase() === 'nan') return NaN;
  return undefined;
}

/** Reads the document line by line: `pos` walks from a line's start to its `end`. */
class LineReader {
  pos = 0;
  end = 0;
  lineNo = 0;

  constructor(readonly text: string) {}

  /** Moves to the line starting at `start`; false at the end of the document. */
  nextLine(start: number): boolean {
    if (start >= this.text.length) return false;
    const newline = this.text.indexOf('\n', start);
    this.pos = start;
    this.end = newline < 0 ? this.text.length : newline;
    this.lineNo++;
    return true;
  }

  fail(detail: string): never {
    throw new ExpositionError(this.lineNo, detail);
  }

  skipBlanks(): void {
    while (this.pos < this.end && isBlank(this.text.charCodeAt(this.pos))) this.pos++;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  peek(): string {
    return this.pos < this.end ? this.text[this.pos]! : '';
  }

  /** The rest of the line. */
  rest(): string {
    return this.text.slice(this.pos, this.end);
  }

  /** Characters up to the next blank. */
  token(): string {
    const start = this.pos;
    while (this.pos < this.end && !isBlank(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** The longest run of name characters here: `kind` 2 for metric names (with ':'), 1 for label names. */
  name(kind: 1 | 2): string {
    const start = this.pos;
    while (this.pos < this.end) {
      const code = this.text.charCodeAt(this.pos);
      if (code < 128 && (NAME_CHARS[code]! & kind) !== 0) this.pos++;
      else break;
    }
    return this.text.slice(start, this.pos);
  }

  expect(ch: string, what: string): void {
    this.skipBlanks();
    if (this.peek() !== ch) this.fail(`expected ${what}, found ${this.describeHere()}`);
    this.pos++;
  }

  describeHere(): string {
    return this.atEnd() ? 'the end of the line' : JSON.stringify(this.text.slice(this.pos, Math.min(this.pos + 12, this.end)));
  }

  /** A double-quoted label value with its escapes resolved. */
  quoted(labelName: string): string {
    this.expect('"', `'"' to open the value of label "${labelName}"`);
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= this.end) this.fail(`the value of label "${labelName}" has no closing quote`);
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22 /* " */) {
        out += this.text.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (code === 0x5c /* \ */) {
        out += this.text.slice(start, this.pos);
        const next = this.pos + 1 < this.end ? this.text[this.pos + 1] : undefined;
        if (next === '\\') out += '\\';
        else if (next === '"') out += '"';
        else if (next === 'n') out += '\n';
        else this.fail(`invalid escape ${JSON.stringify('\\' + (next ?? ''))} in the value of label "${labelName}"; only \\\\, \\" and \\n are allowed`);
        this.pos += 2;
        start = this.pos;
        continue;
      }
      this.pos++;
    }
  }
}

function unescapeHelp(text: string, line: LineReader): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(.?)/g, (_m, ch: string) => {
    if (ch === '\\') return '\\';
    if (ch === 'n') return '\n';
    return line.fail(`invalid escape ${JSON.stringify('\\' + ch)} in HELP; only \\\\ and \\n are allowed`);
  });
}

/** The family a sample belongs to: `x_bucket`, `x_sum`, `x_count` join a histogram or summary `x`. */
function familyOf(name: string, types: Map<string, MetricKind>): string {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const kind = types.get(base);
    if (kind === 'histogram' || (kind === 'summary' && suffix !== '_bucket')) return base;
  }
  return name;
}

/** One key per series: the name and the labels in name order (the Go client already sorts them). */
function seriesKey(name: string, labels: Record<string, string>): string {
  let names = Object.keys(labels);
  for (let i = 1; i < names.length; i++) {
    if (names[i - 1]! > names[i]!) {
      names = names.sort();
      break;
    }
  }
  let key = name;
  for (const n of names) key += `\u0000${n}\u0001${labels[n]}`;
  return key;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, MetricKind>();
  const help = new Map<string, string>();
  const sampled = new Set<string>();
  const series = new Set<string>();

  const line = new LineReader(text);
  for (let start = 0; line.nextLine(start); start = line.end + 1) {
    line.skipBlanks();
    if (line.atEnd()) continue;
    if (line.peek() === '#') {
      readComment(line, types, help, sampled);
      continue;
    }

    const sample = readSample(line);
    const family = familyOf(sample.name, types);
    const kind = types.get(family);
    if (kind === 'histogram' && sample.name === `${family}_bucket`) requireFloatLabel(line, sample, 'le');
    if (kind === 'summary' && sample.name === family) requireFloatLabel(line, sample, 'quantile');
    const key = seriesKey(sample.name, sample.labels);
    if (series.has(key)) line.fail(`${sample.name} appears twice with the same labels`);
    series.add(key);
    sampled.add(sample.name);
    samples.push(sample);
  }
  return { samples, types, help };
}

function readComment(line: LineReader, types: Map<string, MetricKind>, help: Map<string, string>, sampled: Set<string>): void {
  line.pos++; // '#'
  line.skipBlanks();
  const keyword = line.token();
  if (keyword !== 'HELP' && keyword !== 'TYPE') return; // any other comment
  line.skipBlanks();
  const name = line.token();
  if (!METRIC_NAME.test(name)) line.fail(`# ${keyword} needs a valid metric name, found ${JSON.stringify(name)}`);
  if (keyword === 'HELP') {
    if (help.has(name)) line.fail(`a second HELP line for ${name}`);
    line.skipBlanks();
    help.set(name, unescapeHelp(line.rest(), line));
    return;
  }
  line.skipBlanks();
  const kind = line.token();
  line.skipBlanks();
  if (!KINDS.has(kind) || !line.atEnd()) line.fail(`# TYPE ${name} must be followed by one of counter, gauge, histogram, summary, untyped`);
  if (types.has(name)) line.fail(`a second TYPE line for ${name}`);
  if (sampled.has(name)) line.fail(`the TYPE line for ${name} comes after its samples`);
  types.set(name, kind as MetricKind);
}

function readSample(line: LineReader): Sample {
  const name = line.name(2);
  if (!METRIC_NAME.test(name) || !endsToken(line, '{')) line.fail(`expected a metric name, found ${JSON.stringify(name + line.token() || line.describeHere())}`);
  const labels: Record<string, string> = {};
  line.skipBlanks();
  if (line.peek() === '{') {
    line.pos++;
    for (;;) {
      line.skipBlanks();
      if (line.peek() === '}') {
        line.pos++;
        break;
      }
      const labelName = line.name(1);
      if (!LABEL_NAME.test(labelName) || !endsToken(line, '=,}')) line.fail(`expected a label name in ${name}{...}, found ${JSON.stringify(labelName + line.token() || line.describeHere())}`);
      if (labelName === '__name__') line.fail(`label name __name__ is reserved (in ${name})`);
      if (Object.hasOwn(labels, labelName)) line.fail(`label ${labelName} appears twice in ${name}`);
      line.expect('=', `'=' after label name "${labelName}"`);
      line.skipBlanks();
      labels[labelName] = line.quoted(labelName);
      line.skipBlanks();
      if (line.peek() === ',') {
        line.pos++;
        continue;
      }
      if (line.peek() === '}') {
        line.pos++;
        break;
      }
      line.fail(`expected ',' or '}' after the value of label "${labelName}", found ${line.describeHere()}`);
    }
  }
  line.skipBlanks();
  const valueToken = line.token();
  if (valueToken === '') line.fail(`${name} has no value`);
  const value = parseFloatValue(valueToken);
  if (value === undefined) line.fail(`${name} has an invalid value ${JSON.stringify(valueToken)}`);
  line.skipBlanks();
  if (line.atEnd()) return { name, labels, value };
  const tsToken = line.token();
  if (!TIMESTAMP.test(tsToken)) line.fail(`${name} has an invalid timestamp ${JSON.stringify(tsToken)}; expected whole milliseconds`);
  line.skipBlanks();
  if (!line.atEnd()) line.fail(`unexpected text after the timestamp of ${name}: ${line.describeHere()}`);
  return { name, labels, value, timestampMs: Number(tsToken) };
}

/** A name ends at a blank, the end of the line, or one of `delimiters`. */
function endsToken(line: LineReader, delimiters: string): boolean {
  const ch = line.peek();
  return ch === '' || ch === ' ' || ch === '\t' || delimiters.includes(ch);
}

function requireFloatLabel(line: LineReader, sample: Sample, label: string): void {
  const text = sample.labels[label];
  if (text === undefined) line.fail(`${sample.name} needs a "${label}" label`);
  if (parseFloatValue(text) === undefined) line.fail(`${sample.name} has a "${label}" label that is not a number: ${JSON.stringify(text)}`);
}
