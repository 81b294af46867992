import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectorsExporter, type CollectorsExporter } from '../../exporters/collectors/index.js';
import { promtoolCheckMetrics } from '../support/binaries.js';
import { sampleValue, startTestExporter, tempDir, type TestExporter } from '../support/exporter.js';
import { FakeBindplane, type FakeAgent } from '../../sim/collectors/fake-bindplane.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const agent = (i: number, status: number, extra: Partial<FakeAgent> = {}): FakeAgent => ({
  id: `01H${String(i).padStart(23, '0')}`, name: `col-${i}`, hostname: `host-${i}`, version: 'v1.70.0', status, ...extra,
});

async function start(extraSets: string[] = []): Promise<{ fake: FakeBindplane; exporter: TestExporter; collectors: CollectorsExporter }> {
  const fake = new FakeBindplane('secret-key');
  const url = await fake.start();
  cleanup.push(() => fake.stop());
  const keyFile = join(tempDir(), 'key');
  writeFileSync(keyFile, 'secret-key\n');
  const exporter = await startTestExporter(collectorsExporter, {
    sets: ['opamp.enabled=false', 'bindplane.enabled=true', `bindplane.url=${url}`, `bindplane.api_key_file=${keyFile}`, 'bindplane.page_size=2', 'bindplane.interval_seconds=3600', ...extraSets],
  });
  cleanup.push(() => exporter.stop());
  return { fake, exporter, collectors: exporter.instance as CollectorsExporter };
}

describe('the Bindplane poller', () => {
  it('pages through /v1/agents with the API key and maps the documented status codes', async () => {
    const { fake, exporter, collectors } = await start();
    fake.agents = [agent(1, 1, { connectedAt: '2026-01-01T00:00:00Z' }), agent(2, 0, { disconnectedAt: '2025-12-31T00:00:00Z' }), agent(3, 2), agent(4, 6), agent(5, 7)];
    await collectors.bindplane!.poll();
    expect(fake.requests.filter((r) => r.apiKey === 'secret-key').map((r) => r.offset).slice(-3)).toEqual([0, 2, 4]);
    expect([1, 2, 3, 4, 5].map((i) => collectors.model.get(agent(i, 0).id)?.state)).toEqual(['Connected', 'Disconnected', 'Error', 'Configuring', 'Upgrading']);
    expect(collectors.model.get(agent(1, 0).id)).toMatchObject({ since: Date.parse('2026-01-01T00:00:00Z'), name: 'col-1', host: 'host-1', version: 'v1.70.0', source: 'bindplane' });
    const text = await exporter.scrape();
    expect(sampleValue(text, 'collector_source_up', { source: 'bindplane' })).toBe(1);
    expect(sampleValue(text, 'collector_source_last_success_timestamp_seconds', { source: 'bindplane' })).toBe(exporter.clock.now() / 1000);
    expect(promtoolCheckMetrics(text)).toBe('');

    fake.agents[0]!.status = 2;
    exporter.clock.advance(60_000);
    await collectors.bindplane!.poll();
    expect(collectors.model.get(agent(1, 0).id)).toMatchObject({ state: 'Error', since: exporter.clock.now() });
    expect(collectors.model.transitions.get('Connected>Error')?.count).toBe(1);
  });

  it('counts unknown status codes and leaves the state alone; the map is extendable', async () => {
    const { fake, exporter, collectors } = await start(['bindplane.status_map={"8": Pending}']);
    fake.agents = [agent(1, 1)];
    await collectors.bindplane!.poll();
    fake.agents = [agent(1, 9)];
    await collectors.bindplane!.poll();
    expect(collectors.model.get(agent(1, 0).id)?.state).toBe('Connected');
    expect(sampleValue(await exporter.scrape(), 'collector_bindplane_unknown_status_total', { status: '9' })).toBe(1);
    fake.agents = [agent(1, 8)];
    await collectors.bindplane!.poll();
    expect(collectors.model.get(agent(1, 0).id)?.state).toBe('Pending');
  });

  it('reports itself down in an outage and keeps every collector as it was', async () => {
    const { fake, exporter, collectors } = await start();
    fake.agents = [agent(1, 1), agent(2, 1), agent(3, 2)];
    await collectors.bindplane!.poll();
    const before = JSON.stringify([...collectors.model.all()]);
    fake.failWith = 503;
    exporter.clock.advance(60_000);
    await collectors.bindplane!.poll();
    expect(JSON.stringify([...collectors.model.all()])).toBe(before);
    let text = await exporter.scrape();
    expect(sampleValue(text, 'collector_source_up', { source: 'bindplane' })).toBe(0);
    expect(sampleValue(text, 'collector_fleet_state', { state: 'Connected' })).toBe(2);
    expect(sampleValue(text, 'collector_fleet_state', { state: 'Disconnected' })).toBe(0);

    await fake.stop(); // now unreachable altogether
    await collectors.bindplane!.poll();
    text = await exporter.scrape();
    expect(sampleValue(text, 'collector_source_up', { source: 'bindplane' })).toBe(0);
    expect(JSON.stringify([...collectors.model.all()])).toBe(before);
  });

  it('treats a wrong API key as the source being down', async () => {
    const { fake, exporter, collectors } = await start();
    (fake as { apiKey: string }).apiKey = 'rotated';
    await collectors.bindplane!.poll();
    expect(sampleValue(await exporter.scrape(), 'collector_source_up', { source: 'bindplane' })).toBe(0);
    expect(collectors.model.size).toBe(0);
  });
});
