/**
 * The collectors simulator against the real collectors exporter: each fault
 * puts its collector in the state its alert watches, and clearing it brings
 * the collector back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorsExporter, type CollectorsExporter } from '../../exporters/collectors/index.js';
import { silentLogger } from '../../exporters/core/log.js';
import { collectorsSimSchema } from '../../sim/collectors/config.js';
import { CollectorsSimulator } from '../../sim/collectors/simulator.js';
import { startTestExporter, type TestExporter } from '../support/exporter.js';
import { freePort } from '../support/ports.js';

let exporter: TestExporter;
let collectors: CollectorsExporter;
let sim: CollectorsSimulator;

beforeAll(async () => {
  const bindplanePort = await freePort();
  exporter = await startTestExporter(collectorsExporter, {
    sets: ['opamp.listen.host=127.0.0.1', 'opamp.listen.port=0', 'bindplane.enabled=true', `bindplane.url=http://127.0.0.1:${bindplanePort}`, 'bindplane.api_key=sim-bindplane-key', 'bindplane.interval_seconds=3600'],
  });
  collectors = exporter.instance as CollectorsExporter;
  sim = new CollectorsSimulator(
    collectorsSimSchema.parse({
      count: 12,
      websocket_share: 0.25,
      opamp_url: `http://127.0.0.1:${collectors.opampPort}/v1/opamp`,
      events_url: `${exporter.url}/api/v1/collectors/events`,
      heartbeat_seconds: 0.2,
      churn_interval_seconds: 3600,
      bindplane: { port: bindplanePort, agents: 3 },
    }),
    silentLogger,
  );
  await sim.start();
  await collectors.bindplane!.poll();
});

afterAll(async () => {
  await sim?.stop();
  await exporter?.stop();
});

const stateOf = (id: string) => collectors.model.get(id)?.state;

/**
 * Moves the exporter's clock past the disconnect timeout, then lets the
 * collectors that still talk send a heartbeat at the new time before the tick.
 */
async function passDisconnectTimeout(silent: number): Promise<void> {
  exporter.clock.advance(91_000);
  const now = exporter.clock.now();
  const opampCount = [...collectors.model.all()].filter((r) => r.lastHeard !== undefined).length;
  await until(() => [...collectors.model.all()].filter((r) => r.lastHeard === now).length >= opampCount - silent);
  await collectors.tick();
}

/** Waits for a real event (the simulated agent's next message); bounded. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(condition()).toBe(true);
}

describe('the collectors simulator', () => {
  it('brings up the whole fleet over OpAMP and the fake Bindplane', () => {
    expect(collectors.model.size).toBe(15);
    expect(collectors.model.fleetCount('Connected')).toBe(15);
    expect(collectors.model.openSocketCount).toBe(3);
  });

  it.each([
    ['collector-error', 'Error'],
    ['collector-stuck-configuring', 'Configuring'],
    ['collector-stuck-upgrading', 'Upgrading'],
    ['collector-rollout-stuck-pending', 'Pending'],
    ['collector-incompatible', 'Incompatible'],
  ] as const)('%s puts a collector in %s, and clearing it brings it back', async (fault, state) => {
    const { target } = await sim.inject(fault);
    await until(() => stateOf(target) === state);
    await sim.clear(fault);
    await until(() => stateOf(target) === 'Connected');
    expect(collectors.model.illegalTransitions.size).toBe(0);
  });

  it('collector-illegal-transition counts an illegal edge', async () => {
    await sim.inject('collector-illegal-transition');
    expect(collectors.model.illegalTransitions.get('Pending>Connected')?.count).toBe(1);
    await sim.clear('collector-illegal-transition');
  });

  it('collector-flapping keeps changing the collector\'s state', async () => {
    const { target } = await sim.inject('collector-flapping');
    const seen = new Set<string>();
    await until(() => {
      seen.add(stateOf(target)!);
      return seen.has('Error') && seen.has('Connected');
    });
    await sim.clear('collector-flapping');
    await until(() => stateOf(target) === 'Connected');
  });

  it('collector-disconnect and bindplane-down', async () => {
    const { target } = await sim.inject('collector-disconnect');
    await sim.inject('bindplane-down');
    await collectors.bindplane!.poll();
    expect(collectors.model.sources.get('bindplane')?.up).toBe(false);
    await passDisconnectTimeout(1);
    expect(stateOf(target)).toBe('Disconnected');
    expect(collectors.model.fleetCount('Disconnected')).toBe(1);
    await sim.clear('collector-disconnect');
    await sim.clear('bindplane-down');
    await until(() => stateOf(target) === 'Connected');
    await collectors.bindplane!.poll();
    expect(collectors.model.sources.get('bindplane')?.up).toBe(true);
  });

  it('collector-fleet-disconnect silences 40% of the fleet at once', async () => {
    await sim.inject('collector-fleet-disconnect');
    await passDisconnectTimeout(5);
    expect(collectors.model.fleetCount('Disconnected')).toBe(5);
    await sim.clear('collector-fleet-disconnect');
    await until(() => collectors.model.fleetCount('Disconnected') === 0);
  });
});
