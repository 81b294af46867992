/**
 * Lines as Butler v1.5.0 writes them: logrus TextFormatter{FullTimestamp: true}
 * to a file (logfmt, values quoted with Go's %q) or to a terminal (coloured).
 * The messages are Butler's format strings filled in.
 */
import { describe, expect, it } from 'vitest';
import { NO_RESPONSE } from '../observations.js';
import { LogLineError, parseLogLine } from './log-line.js';

const T = '2026-01-30T12:00:00Z';
const MS = Date.parse(T);

describe('Butler log lines', () => {
  it('reads a successful reload (reloaders/http.go Infof)', () => {
    const line = `time="${T}" level=info msg="HTTPReloader::Reload()[count=3][manager=prometheus]: successfully reloaded config. http_code=200"`;
    expect(parseLogLine(line)).toEqual({ kind: 'reload', manager: 'prometheus', code: 200, time: MS });
  });

  it('reads a bad response with its code (reloaders/http.go Errorf)', () => {
    const line = `time="2026-01-30T13:00:00+01:00" level=error msg="HTTPReloader::Reload()[count=4][manager=alertmanager]: received bad response from server. http_code=503"`;
    expect(parseLogLine(line)).toEqual({ kind: 'reload', manager: 'alertmanager', code: 503, time: MS });
  });

  it('reads a transport error, Butler\'s code 1, as no response', () => {
    const err = 'Post \\"http://localhost:9090/-/reload\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
    const line = `time="${T}" level=error msg="HTTPReloader::Reload()[count=5][manager=prometheus]: err=${err}"`;
    expect(parseLogLine(line)).toEqual({ kind: 'reload', manager: 'prometheus', code: NO_RESPONSE, time: MS });
  });

  it('reads the remote code of a managed file and of butler.toml', () => {
    const file = `time="${T}" level=error msg="ManagerOpts::DownloadConfigFile()[count=7][manager=prometheus]: Did not receive 200 response code for https://cfg.example.com/butler/prometheus/rules/alerts.yml. code=404"`;
    expect(parseLogLine(file)).toEqual({ kind: 'remote', location: 'https://cfg.example.com/butler/prometheus/rules/alerts.yml', code: 404, time: MS });
    const toml = `time="${T}" level=error msg="ButlerConfig::Handler()[count=2]: Did not receive 200 response code for https://cfg.example.com/butler/butler.toml. code=403"`;
    expect(parseLogLine(toml)).toEqual({ kind: 'remote', location: 'https://cfg.example.com/butler/butler.toml', code: 403, time: MS });
  });

  it('reads a failed download (transport error or 5xx retried until given up) as no response', () => {
    const line = `time="${T}" level=error msg="ManagerOpts::DownloadConfigFile()[count=7][manager=prometheus]: Could not download from https://cfg.example.com/butler/prometheus/prometheus.yml, err=GET https://cfg.example.com/butler/prometheus/prometheus.yml giving up after 6 attempt(s)"`;
    expect(parseLogLine(line)).toEqual({ kind: 'remote', location: 'https://cfg.example.com/butler/prometheus/prometheus.yml', code: NO_RESPONSE, time: MS });
    const body = `time="${T}" level=error msg="ButlerConfig::Handler()[count=9]: Could not read response body for https://cfg.example.com/butler/butler.toml. err=unexpected EOF"`;
    expect(parseLogLine(body)).toEqual({ kind: 'remote', location: 'https://cfg.example.com/butler/butler.toml', code: NO_RESPONSE, time: MS });
  });

  it('reads the terminal form, coloured or with the colours stripped', () => {
    const msg = 'HTTPReloader::Reload()[count=3][manager=prometheus]: received bad response from server. http_code=500';
    const coloured = `\x1b[31mERRO\x1b[0m[${T}] ${msg.padEnd(44)} `;
    expect(parseLogLine(coloured)).toEqual({ kind: 'reload', manager: 'prometheus', code: 500, time: MS });
    expect(parseLogLine(`ERRO[${T}] ${msg}`)).toEqual({ kind: 'reload', manager: 'prometheus', code: 500, time: MS });
    // Without FullTimestamp the bracket holds seconds since start: no time.
    expect(parseLogLine(`ERRO[0042] ${msg}`)).toEqual({ kind: 'reload', manager: 'prometheus', code: 500, time: undefined });
  });

  it('resolves Go escapes in quoted values and tolerates a CR line end', () => {
    const line = `time="${T}" level=error msg="HTTPReloader::Reload()[count=1][manager=caf\\u00e9\\t2]: received bad response from server. http_code=502"\r`;
    expect(parseLogLine(line)).toEqual({ kind: 'reload', manager: 'café\t2', code: 502, time: MS });
  });

  it('gives nothing for Butler lines that carry no code', () => {
    for (const msg of [
      'Config::RunCMHandler()[count=3]: entering.',
      'helpers.CompareAndCopy()[count=3][manager=prometheus]: Found difference in \\"/etc/prometheus/prometheus.yml.\\"  Updating.',
      'helpers.RestoreCachedConfigs()[count=3][manager=prometheus]: Restoring known good configurations from cache.',
      'ButlerConfig::Handler()[count=3]: Cannot retrieve butler configuration. err=dial tcp: connection refused',
      'ButlerConfig::Handler()[count=3] done.',
      '10.0.0.1 - - [30/Jan/2026 12:00:00] \\"GET /metrics HTTP/1.1 200 1234\\" 0.001000',
    ]) {
      expect(parseLogLine(`time="${T}" level=info msg="${msg}"`)).toBeUndefined();
    }
    expect(parseLogLine('level=info msg=done')).toBeUndefined();
  });

  it('refuses what is not a logrus line', () => {
    for (const line of ['panic: runtime error: index out of range', 'goroutine 1 [running]:', 'time="x" level=info', '{"level":"info","msg":"x"}']) {
      expect(() => parseLogLine(line), line).toThrow(LogLineError);
    }
    expect(() => parseLogLine('time="yesterday" level=info msg="x"')).toThrow(/not an RFC 3339 time/);
    expect(() => parseLogLine('level=info msg="unterminated')).toThrow(/no closing quote/);
    expect(() => parseLogLine('level=info msg="bad \\q escape"')).toThrow(/invalid escape/);
  });
});
