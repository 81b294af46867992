/**
 * Butler's log as a source: lines POSTed to the exporter, and a log file
 * followed as it grows. Bad input is refused with a reason and changes
 * nothing.
 */
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleValue, tempDir } from '../support/exporter.js';
import { butlerCycle, iso, logLine, startScenario, type Scenario, type ScenarioOptions } from './scenario.js';

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

const BAD_RESPONSE = (manager: string, code: number) => `HTTPReloader::Reload()[count=1][manager=${manager}]: received bad response from server. http_code=${code}`;

/** A scenario whose prometheus reload just failed, as the scrape shows it (-1: no code yet). */
async function afterFailedReload(sets: ScenarioOptions['sets'] = []): Promise<Scenario> {
  const s = (scenario = await startScenario({ sets }));
  await s.step(300, (b, now) => {
    butlerCycle(b, now);
    b.write('prometheus.yml', true, now).reload('prometheus', false, now).restore('prometheus');
  });
  return s;
}

const status = (s: Scenario, text: string) => sampleValue(text, 'butler_reload_status', { instance: s.fake.instance, manager: 'prometheus' });
const rejected = (text: string, reason: string) => sampleValue(text, 'fleetwatch_rejected_requests_total', { exporter: 'butler', reason }) ?? 0;

describe('butler exporter: log lines POSTed', () => {
  it('refuses a batch with a line that is not Butler\'s, naming it, and applies none of it', async () => {
    const s = await afterFailedReload();
    const response = await s.postLog([logLine(s.now(), 'error', BAD_RESPONSE('prometheus', 502)), 'panic: runtime error: invalid memory address']);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('invalid_log_line');
    expect(body.message).toMatch(/^line 2: not a Butler log line/);
    const text = await s.exporter.scrape();
    expect(status(s, text)).toBe(-1);
    expect(rejected(text, 'invalid_log_line')).toBe(1);
  });

  it('refuses a wrong content type, a missing or unknown instance, and a missing token', async () => {
    const s = await afterFailedReload(['logs.http.token=s3cret']);
    const url = `${s.exporter.url}/api/v1/butler/logs`;
    const line = logLine(s.now(), 'error', BAD_RESPONSE('prometheus', 502));
    const auth = { authorization: 'Bearer s3cret' };
    const cases: Array<[RequestInit & { url: string }, number, string]> = [
      [{ url: `${url}?instance=${s.fake.instance}`, headers: { 'content-type': 'text/plain' }, body: line }, 401, 'unauthorized'],
      [{ url: `${url}?instance=${s.fake.instance}`, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify([line]) }, 415, 'unsupported_media_type'],
      [{ url, headers: { ...auth, 'content-type': 'text/plain' }, body: line }, 400, 'missing_instance'],
      [{ url: `${url}?instance=elsewhere:8080`, headers: { ...auth, 'content-type': 'text/plain' }, body: line }, 404, 'unknown_instance'],
    ];
    for (const [request, code, reason] of cases) {
      const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
      expect(response.status, reason).toBe(code);
      expect(((await response.json()) as { error: string }).error).toBe(reason);
    }
    const text = await s.exporter.scrape();
    expect(status(s, text)).toBe(-1);
    for (const [, , reason] of cases) expect(rejected(text, reason), reason).toBe(1);

    const ok = await fetch(`${url}?instance=${s.fake.instance}`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain; charset=utf-8' }, body: line });
    expect(ok.status).toBe(202);
    expect(status(s, await s.exporter.scrape())).toBe(502);
  });

  it('takes lines that carry no code, and codes for unknown files, without changing anything', async () => {
    const s = await afterFailedReload();
    const response = await s.postLog([
      logLine(s.now(), 'info', 'Config::RunCMHandler()[count=4]: entering.'),
      logLine(s.now(), 'error', 'ManagerOpts::DownloadConfigFile()[count=4][manager=prometheus]: Did not receive 200 response code for https://other.example.com/x/unknown.yml. code=404'),
    ]);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ codes: 1, applied: 0 });
    expect(status(s, await s.exporter.scrape())).toBe(-1);
  });
});

describe('butler exporter: a log file followed', () => {
  it('reads lines as the file grows, waits for a partial line, skips and counts foreign lines, and follows a rotation', async () => {
    const path = join(tempDir(), 'butler.log');
    // History from before the exporter started is not replayed.
    writeFileSync(path, `${logLine(0, 'error', BAD_RESPONSE('prometheus', 599))}\n`);
    const s = await afterFailedReload((instance) => [`logs.files=[{path: "${path}", instance: "${instance}"}]`]);
    expect(status(s, await s.exporter.scrape())).toBe(-1);

    appendFileSync(path, `${logLine(s.now() - 1, 'error', BAD_RESPONSE('prometheus', 502))}\ntime="${iso(s.now())}" level=error msg="HTTPReloader::Reload()`);
    await s.instance.pollLogs();
    let text = await s.exporter.scrape();
    expect(status(s, text)).toBe(502);

    appendFileSync(path, '[count=2][manager=prometheus]: received bad response from server. http_code=504"\ngoroutine 1 [running]:\n');
    await s.instance.pollLogs();
    text = await s.exporter.scrape();
    expect(status(s, text)).toBe(504);
    expect(sampleValue(text, 'butler_reload_time', { instance: s.fake.instance, manager: 'prometheus' })).toBe(s.now());
    expect(rejected(text, 'invalid_log_line')).toBe(1);

    // logrotate: the file is moved away and a new one started.
    s.clock.advance(60_000);
    renameSync(path, `${path}.1`);
    writeFileSync(path, `${logLine(s.now(), 'error', BAD_RESPONSE('prometheus', 507))}\n`);
    await s.instance.pollLogs();
    expect(status(s, await s.exporter.scrape())).toBe(507);

    // Nothing new: nothing changes.
    await s.instance.pollLogs();
    expect(status(s, await s.exporter.scrape())).toBe(507);
  });
});
