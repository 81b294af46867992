import { describe, expect, it } from 'vitest';
import { TextExposition } from '../core/exposition.js';
import { FleetModel } from './model.js';
import { CollectorsView, type PerCollectorSeries } from './view.js';

function render(perCollector: PerCollectorSeries): string {
  const model = new FleetModel({ disconnectAfterMs: 90_000, forgetAfterMs: 0 }, 0);
  for (const [id, state] of [['a', 'Connected'], ['b', 'Error']] as const) {
    model.apply({ kind: 'reported_state', source: 'events', collectorId: id, state, at: 1000, since: 1000 });
  }
  return new TextExposition([new CollectorsView(model, perCollector, ['events'])]).render(2000).toString();
}

const count = (text: string, family: string) => text.split('\n').filter((l) => l.startsWith(`${family}{`)).length;

describe('per-collector series, for very large fleets', () => {
  it.each([
    ['all', 14, 2, 2],
    ['current', 2, 2, 2],
    ['none', 0, 0, 0],
  ] as const)('%s: %i state series, %i info, %i since; the fleet families always stay', (setting, states, infos, sinces) => {
    const text = render(setting);
    expect(count(text, 'collector_state')).toBe(states);
    expect(count(text, 'collector_info')).toBe(infos);
    expect(count(text, 'collector_state_since_timestamp_seconds')).toBe(sinces);
    expect(count(text, 'collector_fleet_state')).toBe(7);
    expect(text).toContain('collector_fleet_state{state="Error"} 1');
  });
});
