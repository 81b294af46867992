/**
 * Butler's log lines: what its metrics do not carry, the HTTP codes of
 * reloads and of failed fetches.
 *
 * Butler logs through logrus' TextFormatter with full timestamps
 * (cmd/butler/main.go). Written to a file or a pipe a line is logfmt,
 *   time="2026-01-30T12:00:00Z" level=info msg="HTTPReloader::Reload()[count=3][manager=prometheus]: successfully reloaded config. http_code=200"
 * with values quoted Go-style (%q) when they need it; on a terminal it is
 *   ESC[36mINFOESC[0m[2026-01-30T12:00:00Z] HTTPReloader::Reload()...   (the colour codes may have been stripped)
 *
 * The messages read (formats from adobe/butler v1.5.0):
 * - internal/reloaders/http.go, HTTPReloader::Reload()[count=N][manager=M]:
 *   "successfully reloaded config. http_code=200", "received bad response
 *   from server. http_code=C", and "err=…" for any transport error
 *   (Butler's code 1: timeout, refused, retries exhausted).
 * - internal/config/manager.go, ManagerOpts::DownloadConfigFile()[count=N][manager=M]:
 *   "Did not receive 200 response code for URL. code=C" and
 *   "Could not download from URL, err=…" (no response: timeout, refused,
 *   5xx retried until given up).
 * - internal/config/handler.go, ButlerConfig::Handler()[count=N] for
 *   butler.toml: "Did not receive 200 response code for URL. code=C" and
 *   "Could not read response body for URL. err=…". ("Cannot retrieve butler
 *   configuration" names no URL and is not used.)
 */
import { NO_RESPONSE, type ButlerObservation } from '../observations.js';

export type LogFact =
  | { kind: 'reload'; manager: string; code: number; time?: number }
  /** `location`: the URL (or path) Butler logged for the file. */
  | { kind: 'remote'; location: string; code: number; time?: number };

export class LogLineError extends Error {}

const RELOADER = /^HTTPReloader::Reload\(\)\[count=\d+\]\[manager=(.*?)\]: (.*)$/s;
const RELOAD_OK = /^successfully reloaded config\. http_code=(\d+)$/;
const RELOAD_BAD = /^received bad response from server\. http_code=(\d+)$/;
const DOWNLOAD = /^ManagerOpts::DownloadConfigFile\(\)\[count=\d+\]\[manager=.*?\]: (.*)$/s;
const BUTLER_TOML = /^ButlerConfig::Handler\(\)\[count=\d+\]:? (.*)$/s;
const NOT_200 = /^Did not receive 200 response code for (.+)\. code=(\d+)$/s;
const NOT_DOWNLOADED = /^Could not download from (.+?), err=/s;
const BODY_UNREADABLE = /^Could not read response body for (.+?)\. err=/s;

/** logrus' terminal form: level (4 letters, maybe coloured), [time], message. */
const TERMINAL = /^(?:\x1b\[\d+m)?(PANI|FATA|ERRO|WARN|INFO|DEBU|TRAC)(?:\x1b\[0m)?\[([^\]]*)\] ?(.*)$/s;

/**
 * The fact a line gives, or undefined for a Butler line that gives none we
 * use. Throws LogLineError when the line is not a logrus line at all.
 */
export function parseLogLine(raw: string): LogFact | undefined {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const { message, time } = envelope(line);
  return readMessage(message, time);
}

function readMessage(message: string, time: number | undefined): LogFact | undefined {
  const reloader = RELOADER.exec(message);
  if (reloader) {
    const manager = reloader[1]!;
    const rest = reloader[2]!;
    const code = RELOAD_OK.exec(rest) ?? RELOAD_BAD.exec(rest);
    if (code) return { kind: 'reload', manager, code: Number(code[1]), time };
    if (rest.startsWith('err=')) return { kind: 'reload', manager, code: NO_RESPONSE, time };
    return undefined;
  }
  const download = DOWNLOAD.exec(message) ?? BUTLER_TOML.exec(message);
  if (download) {
    const rest = download[1]!;
    const not200 = NOT_200.exec(rest);
    if (not200) return { kind: 'remote', location: not200[1]!, code: Number(not200[2]), time };
    const failed = NOT_DOWNLOADED.exec(rest) ?? BODY_UNREADABLE.exec(rest);
    if (failed) return { kind: 'remote', location: failed[1]!, code: NO_RESPONSE, time };
  }
  return undefined;
}

/** The message and time of a logrus line, in either of its forms. */
function envelope(line: string): { message: string; time: number | undefined } {
  const terminal = TERMINAL.exec(line);
  if (terminal) return { message: terminal[3]!.trimEnd(), time: parseTime(terminal[2]!, false) };
  const fields = logfmt(line);
  if (fields.level === undefined || fields.msg === undefined) {
    throw new LogLineError('not a Butler log line: expected logrus text (time="…" level=… msg="…") or its terminal form (INFO[…] …)');
  }
  return { message: fields.msg, time: fields.time === undefined ? undefined : parseTime(fields.time, true) };
}

/** An RFC 3339 time (ms). A terminal line without full timestamps has seconds since start instead: no time. */
function parseTime(text: string, required: boolean): number | undefined {
  const ms = Date.parse(text);
  if (Number.isFinite(ms) && /^\d{4}-\d{2}-\d{2}T/.test(text)) return ms;
  if (!required && /^\d+$/.test(text)) return undefined;
  throw new LogLineError(`the line's time ${JSON.stringify(text)} is not an RFC 3339 time`);
}

/** key=value pairs; values bare or Go-quoted. */
function logfmt(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ') i++;
    if (i >= line.length) break;
    const eq = line.indexOf('=', i);
    const key = eq < 0 ? '' : line.slice(i, eq);
    if (!/^[A-Za-z_][\w.-]*$/.test(key)) throw new LogLineError(`not a Butler log line: expected key=value at ${JSON.stringify(line.slice(i, i + 20))}`);
    i = eq + 1;
    if (line[i] === '"') {
      const [value, end] = goQuoted(line, i);
      fields[key] = value;
      i = end;
    } else {
      const end = line.indexOf(' ', i);
      fields[key] = line.slice(i, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    }
  }
  return fields;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** A Go double-quoted string starting at `start` (the quote): its value and the index after it. */
function goQuoted(line: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === '"') return [out, i + 1];
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const next = line[i + 1] ?? '';
    if (next in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[next];
      i += 2;
      continue;
    }
    const width = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : /[0-7]/.test(next) ? 3 : 0;
    const digits = next === 'x' || next === 'u' || next === 'U' ? line.slice(i + 2, i + 2 + width) : line.slice(i + 1, i + 1 + width);
    const radix = /[0-7]/.test(next) ? 8 : 16;
    if (width === 0 || digits.length !== width || !(radix === 8 ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/).test(digits)) {
      throw new LogLineError(`invalid escape ${JSON.stringify(line.slice(i, i + 2))} in a quoted value`);
    }
    const code = parseInt(digits, radix);
    // \x and octal escapes are bytes (Go escapes invalid UTF-8 that way); keep them as such.
    out += width === 4 || width === 8 ? String.fromCodePoint(code) : String.fromCharCode(code);
    i += radix === 8 ? 4 : 2 + width;
  }
  throw new LogLineError('a quoted value has no closing quote');
}

/** The observation a line's fact makes, for the target the log belongs to; its time is clamped to now. */
export function logObservation(fact: LogFact, instance: string, now: number): ButlerObservation {
  const loggedAt = Math.min(fact.time ?? now, now);
  return fact.kind === 'reload'
    ? { kind: 'reload_logged', at: now, instance, manager: fact.manager, code: fact.code, loggedAt }
    : { kind: 'remote_logged', at: now, instance, location: fact.location, code: fact.code, loggedAt };
}
