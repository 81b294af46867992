/**
 * A Butler that answers badly, not at all, or never: the target is marked
 * down, everything derived from it stays as it was, nothing crashes, and
 * the next good scrape compares with the last good one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sampleValue } from '../support/exporter.js';
import { butlerCycle, REPO, startScenario, type Scenario } from './scenario.js';

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.close();
  scenario = undefined;
});

/** The butler_ samples of an exposition, except the target's own up and scrape time. */
function derived(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('butler_') && !l.startsWith('butler_target_'));
}

async function startWithHistory(sets: string[] = []): Promise<{ s: Scenario; good: string }> {
  const s = (scenario = await startScenario({ sets }));
  const good = await s.step(300, (b, now) => {
    butlerCycle(b, now, { unreachable: ['rules/alerts.yml'] });
    b.reload('alertmanager', false, now).restore('alertmanager');
  });
  return { s, good };
}

async function scrapeBroken(s: Scenario, seconds: number): Promise<string> {
  s.clock.advance(seconds * 1000);
  await s.instance.scrapeAll();
  return s.exporter.scrape();
}

const up = (s: Scenario, text: string) => sampleValue(text, 'butler_target_up', { instance: s.fake.instance });
const lastScrape = (s: Scenario, text: string) => sampleValue(text, 'butler_target_last_scrape_timestamp_seconds', { instance: s.fake.instance });
const rejected = (text: string, reason: string) => sampleValue(text, 'fleetwatch_rejected_requests_total', { exporter: 'butler', reason }) ?? 0;

describe('butler exporter: targets that fail', () => {
  const broken: Array<[string, (s: Scenario) => Promise<void> | void, string[]?]> = [
    ['an exposition that does not parse', (s) => s.fake.serve('butler_localconfig_reload_count{manager="prometheus" 3\n')],
    ['an exposition without Butler\'s labels', (s) => s.fake.serve('butler_localconfig_reload_count 3\n')],
    ['an HTML error page with status 200', (s) => s.fake.serve('<html><body>upstream connect error</body></html>\n')],
    ['status 500', (s) => s.fake.fail(500, 'internal error\n')],
    ['a body over max_body_bytes', (s) => s.fake.serve(`# ${'x'.repeat(64 * 1024)}\n`), ['scrape.max_body_bytes=16384']],
    ['nothing listening any more', (s) => s.fake.close()],
    ['an answer that never comes', (s) => s.fake.hang(), ['scrape.timeout_seconds=0.3']],
  ];

  it.each(broken)('%s: down, last derived values kept', async (_what, breakIt, sets) => {
    const { s, good } = await startWithHistory(sets);
    expect(up(s, good)).toBe(1);
    await breakIt(s);
    const text = await scrapeBroken(s, 60);
    expect(up(s, text)).toBe(0);
    expect(lastScrape(s, text)).toBe(lastScrape(s, good));
    expect(derived(text)).toEqual(derived(good));
    expect((await fetch(`${s.exporter.url}/healthz`)).status).toBe(200);
  });

  it('counts an unparseable exposition as refused input', async () => {
    const { s } = await startWithHistory();
    s.fake.serve('butler_remoterepo_up{manager="prometheus"} yes\n');
    const text = await scrapeBroken(s, 60);
    expect(rejected(text, 'invalid_exposition')).toBe(1);
    s.fake.fail(503, '');
    expect(rejected(await scrapeBroken(s, 60), 'invalid_exposition')).toBe(1);
  });

  it('compares the next good scrape with the last good one, across the outage', async () => {
    const { s } = await startWithHistory();
    const before = sampleValue(await s.exporter.scrape(), 'butler_reloads_total', { instance: s.fake.instance, manager: 'prometheus', result: 'success' });
    s.fake.serve('not an exposition');
    await scrapeBroken(s, 60);
    const text = await s.step(300, (b, now) => butlerCycle(b, now, { changed: ['prometheus'] }));
    expect(up(s, text)).toBe(1);
    expect(sampleValue(text, 'butler_reloads_total', { instance: s.fake.instance, manager: 'prometheus', result: 'success' })).toBe(before! + 1);
    expect(sampleValue(text, 'butler_remote_status', { instance: s.fake.instance, file: `${REPO}/rules/alerts.yml` })).toBe(200);
  });
});
