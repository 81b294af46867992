import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../exporters/core/clock.js';
import { silentLogger } from '../../exporters/core/log.js';
import { LocalPager } from '../../sim/pager/pager.js';

let pager: LocalPager;
let url: string;
const clock = new ManualClock();

beforeAll(async () => {
  pager = new LocalPager(clock, silentLogger);
  url = await pager.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await pager.app.close();
});

const enqueue = (body: unknown) => fetch(`${url}/v2/enqueue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the local pager (a fake PagerDuty Events API v2)', () => {
  it('refuses what PagerDuty would refuse, saying why', async () => {
    const response = await enqueue({ event_action: 'trigger', payload: { summary: '', severity: 'disaster' } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: string[] };
    expect(body.errors).toEqual([
      "'routing_key' is missing or blank",
      "'payload.summary' must be 1 to 1024 characters",
      "'payload.source' is missing or blank",
      "'payload.severity' must be one of critical, error, warning, info",
    ]);
    expect((await enqueue({ routing_key: 'k', event_action: 'resolve' })).status).toBe(400);
    expect(pager.incidents.size).toBe(0);
  });

  it('opens an incident on trigger, keeps it on repeats, and resolves it', async () => {
    const trigger = { routing_key: 'k', event_action: 'trigger', dedup_key: 'abc', payload: { summary: 'Exporter down', source: 'alertmanager', severity: 'critical' } };
    expect((await enqueue(trigger)).status).toBe(202);
    clock.advance(60_000);
    expect((await enqueue(trigger)).status).toBe(202);
    expect(pager.list()).toHaveLength(1);
    expect(pager.incidents.get('abc')).toMatchObject({ status: 'triggered', severity: 'critical', summary: 'Exporter down' });
    expect((await enqueue({ routing_key: 'k', event_action: 'resolve', dedup_key: 'abc' })).status).toBe(202);
    expect(pager.incidents.get('abc')).toMatchObject({ status: 'resolved', resolvedAt: clock.now() });
    expect(await (await fetch(url)).text()).toContain('Exporter down');
  });

  it('takes Alertmanager webhooks as tickets', async () => {
    const ticket = { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'ConnectorNotReady' }, annotations: {} }] };
    const response = await fetch(`${url}/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ticket) });
    expect(response.status).toBe(200);
    expect(pager.tickets.at(-1)?.alerts[0]?.labels.alertname).toBe('ConnectorNotReady');
    expect((await fetch(`${url}/tickets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(400);
  });
});
