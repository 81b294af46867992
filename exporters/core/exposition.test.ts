import { describe, expect, it } from 'vitest';
import { promtoolCheckMetrics } from '../../test/support/binaries.js';
import { defineCatalog, familiesOf } from './catalog.js';
import { TextExposition, type MetricSource, type SampleWriter } from './exposition.js';
import { emptyHistogram, observe } from './histogram.js';

const cat = defineCatalog('test', {
  thing_up: { type: 'gauge', help: 'Whether a thing is up.', labels: ['thing'] },
  thing_events_total: { type: 'counter', help: 'Events, by "kind"\\ and so on.', labels: ['kind'] },
  thing_gap_seconds: { type: 'histogram', help: 'Gaps.', labels: ['group'], unit: 'seconds', buckets: [1, 5, 10] },
});

class Source implements MetricSource {
  readonly families = familiesOf(cat);
  things = new Map<string, { up: number; version: number }>();
  renders = 0;
  collect(w: SampleWriter): void {
    for (const [name, t] of this.things) {
      w.entity(name, t.version, (e) => {
        this.renders += 1;
        e.sample(cat.thing_up, [name], t.up);
      });
    }
    w.sample(cat.thing_events_total, ['a "quoted"\nvalue\\'], 3);
    const h = emptyHistogram(cat.thing_gap_seconds.buckets);
    for (const v of [0.5, 4, 7, 30]) observe(h, cat.thing_gap_seconds.buckets, v);
    w.histogram(cat.thing_gap_seconds, ['g'], h);
  }
}

describe('TextExposition', () => {
  it('renders every family once, escapes label values, and passes promtool check metrics', () => {
    const source = new Source();
    source.things.set('a', { up: 1, version: 1 });
    source.things.set('b', { up: 0, version: 1 });
    const text = new TextExposition([source]).render(0).toString();
    expect(text).toContain('thing_up{thing="a"} 1\nthing_up{thing="b"} 0\n');
    expect(text).toContain('thing_events_total{kind="a \\"quoted\\"\\nvalue\\\\"} 3');
    expect(text).toContain('thing_gap_seconds_bucket{group="g",le="1"} 1\n');
    expect(text).toContain('thing_gap_seconds_bucket{group="g",le="10"} 3\n');
    expect(text).toContain('thing_gap_seconds_bucket{group="g",le="+Inf"} 4\n');
    expect(text).toContain('thing_gap_seconds_sum{group="g"} 41.5\n');
    expect(text.match(/# TYPE thing_up gauge/g)).toHaveLength(1);
    expect(promtoolCheckMetrics(text)).toBe('');
  });

  it('re-renders an entity only when its version changes, and forgets entities that are gone', () => {
    const source = new Source();
    source.things.set('a', { up: 1, version: 1 });
    source.things.set('b', { up: 1, version: 1 });
    const exposition = new TextExposition([source]);
    exposition.render(0);
    expect(source.renders).toBe(2);
    source.things.get('a')!.up = 0; // changed without a version bump: the cache must win
    expect(exposition.render(0).toString()).toContain('thing_up{thing="a"} 1');
    expect(source.renders).toBe(2);
    source.things.set('a', { up: 0, version: 2 });
    expect(exposition.render(0).toString()).toContain('thing_up{thing="a"} 0');
    expect(source.renders).toBe(3);
    source.things.delete('b');
    expect(exposition.render(0).toString()).not.toContain('thing="b"');
    source.things.set('b', { up: 1, version: 1 });
    exposition.render(0);
    expect(source.renders).toBe(4);
  });

  it('refuses a family that no source declares', () => {
    const other = defineCatalog('other', { other_up: { type: 'gauge', help: 'x', labels: [] } });
    const rogue: MetricSource = { families: [], collect: (w) => w.sample(other.other_up, [], 1) };
    expect(() => new TextExposition([rogue]).render(0)).toThrow(/other_up is not in the catalog/);
  });
});

describe('defineCatalog', () => {
  it('enforces the naming guide', () => {
    expect(() => defineCatalog('x', { x_events: { type: 'counter', help: 'h', labels: [] } })).toThrow(/counters end in _total/);
    expect(() => defineCatalog('x', { x_age: { type: 'gauge', help: 'h', labels: [], unit: 'seconds' } })).toThrow(/_seconds suffix/);
    expect(() => defineCatalog('x', { x_h_seconds: { type: 'histogram', help: 'h', labels: [], unit: 'seconds', buckets: [2, 1] } })).toThrow(/ascend/);
    expect(() => defineCatalog('x', { x_up: { type: 'gauge', help: 'h', labels: ['__bad'] } })).toThrow(/label/);
  });

  it('lets a family stand for its name in queries', () => {
    expect(`rate(${cat.thing_events_total}[5m])`).toBe('rate(thing_events_total[5m])');
  });
});
