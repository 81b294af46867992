import { describe, expect, it } from 'vitest';
import { TextExposition } from '../core/exposition.js';
import { sampleValue } from '../../test/support/exporter.js';
import { ConnectorsModel } from './model.js';
import { ConnectorsView } from './view.js';

const OPTIONS = {
  probeIntervalMs: 10_000,
  otlpHeartbeatIntervalMs: 30_000,
  heartbeatTolerance: 1.5,
  gracePeriodMs: 300_000,
  otlpForgetAfterMs: 3_600_000,
  otlpMaxInstances: 10,
  defaultConnector: 'default',
};

describe('connectors view', () => {
  it('re-renders an instance whenever a probe or a miss changes what it shows', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const model = new ConnectorsModel(OPTIONS, t0);
    const exposition = new TextExposition([new ConnectorsView(model)]);
    const id = { connector: 'pg', instance: '10.0.0.1:8080' };
    const key = ConnectorsModel.key(id.connector, id.instance);
    const probe = (at: number, status: number) => {
      model.apply({ kind: 'round_started', at });
      model.apply({ kind: 'probe', at, key, health: { status, durationMs: 1 }, ready: { status, durationMs: 1 } });
      model.apply({ kind: 'round_completed', at });
    };
    model.apply({ kind: 'targets', at: t0, targets: [{ ...id, address: id.instance, source: 'static' }] });

    probe(t0, 200);
    expect(sampleValue(exposition.render(t0).toString(), 'connector_up', id)).toBe(1);
    probe(t0 + 10_000, 0);
    let text = exposition.render(t0 + 10_000).toString();
    expect(sampleValue(text, 'connector_up', id)).toBe(0);
    expect(sampleValue(text, 'connector_lifecycle_state', { ...id, state: 'down' })).toBe(1);
    expect(sampleValue(text, 'connector_stops_total', { connector: 'pg', kind: 'unexpected' })).toBe(1);

    model.tick(t0 + 15_001);
    text = exposition.render(t0 + 15_001).toString();
    expect(sampleValue(text, 'connector_heartbeats_missed_total', id)).toBe(1);
  });

  it('writes no probe or lifecycle series for an instance known only from OTLP', () => {
    const model = new ConnectorsModel(OPTIONS, 0);
    model.apply({ kind: 'telemetry', at: 1000, telemetry: { instance: 'i-1', heartbeat: true, dataPoints: 1 } });
    const text = new TextExposition([new ConnectorsView(model)]).render(1000).toString();
    const id = { connector: 'default', instance: 'i-1' };
    expect(sampleValue(text, 'connector_info', { ...id, version: '' })).toBe(1);
    expect(sampleValue(text, 'connector_last_heartbeat_timestamp_seconds', id)).toBe(1);
    for (const family of ['connector_up', 'connector_ready', 'connector_lifecycle_state', 'connector_restarts_total']) {
      expect(sampleValue(text, family, id)).toBeUndefined();
    }
  });

  it('never serves an instance dropped and added again between two scrapes the lines it had before', () => {
    const model = new ConnectorsModel(OPTIONS, 0);
    const exposition = new TextExposition([new ConnectorsView(model)]);
    const id = { connector: 'default', instance: 'i-1' };
    const send = (at: number, memoryPercent: number) => model.apply({ kind: 'telemetry', at, telemetry: { instance: 'i-1', heartbeat: true, memoryPercent, dataPoints: 2 } });
    send(1000, 40);
    expect(sampleValue(exposition.render(1000).toString(), 'connector_memory_usage_percent', id)).toBe(40);
    // Forgotten after an hour of silence, then heard again, before the next scrape.
    model.tick(1000 + OPTIONS.otlpForgetAfterMs);
    expect(model.get('default', 'i-1')).toBeUndefined();
    send(2000 + OPTIONS.otlpForgetAfterMs, 75);
    expect(sampleValue(exposition.render(2000 + OPTIONS.otlpForgetAfterMs).toString(), 'connector_memory_usage_percent', id)).toBe(75);
  });
});
