import { describe, expect, it } from 'vitest';
import { TextExposition } from '../core/exposition.js';
import { sampleValue } from '../../test/support/exporter.js';
import { ButlerModel } from './model.js';
import { fileLabel, type ButlerSnapshot, type ManagerSample, type RemoteFileSample } from './observations.js';
import { ButlerView } from './view.js';

const I = 'butler-1:8080';
const TOML: RemoteFileSample = { repo: 'cfg.example.com', configFile: '/butler/butler.toml', contactSuccess: 1, contactTimeSeconds: 1 };
const ALERTS: RemoteFileSample = { repo: 'cfg.example.com', configFile: 'rules/alerts.yml', contactSuccess: 1, contactTimeSeconds: 1, renderSuccess: 1, configValid: 1 };

function snapshot(managers: Record<string, ManagerSample>, remote: RemoteFileSample[] = [], written: string[] = []): ButlerSnapshot {
  return {
    processStartSeconds: 50,
    managers: new Map(Object.entries(managers)),
    remoteFiles: new Map(remote.map((f) => [fileLabel(f.repo, f.configFile), f])),
    writtenFiles: new Map(written.map((file) => [file, { file, writeSuccess: 1 }])),
  };
}

/** A model, its view, and the text exposition that caches entity blocks by version. */
function exporter(staleAfterMs: number) {
  const model = new ButlerModel({ staleAfterMs, timeoutOk: () => false });
  model.apply({ kind: 'targets', at: 0, instances: [I] });
  const exposition = new TextExposition([new ButlerView(model, { schedulerIntervalSeconds: 60, retrieveIntervalSeconds: 300 })]);
  return { model, render: () => exposition.render(0).toString() };
}

const healthy = { reloadCount: 1, reloadSuccess: 1, reloadTimeSeconds: 1, cached: 1 };

describe('butler view', () => {
  it('renders an entity removed and re-created between two scrapes anew, not from its cached lines', () => {
    const { model, render } = exporter(0);
    model.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ prometheus: healthy }) });
    expect(sampleValue(render(), 'butler_reload_status', { manager: 'prometheus' })).toBe(200);
    model.apply({ kind: 'scrape', at: 2000, instance: I, snapshot: snapshot({}) });
    model.tick(2000);
    model.apply({ kind: 'scrape', at: 3000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 1, reloadSuccess: 0 } }) });
    expect(sampleValue(render(), 'butler_reload_status', { manager: 'prometheus' })).toBe(-1);
  });

  it('shows only the counters of a manager or file Butler no longer shows, during the grace period', () => {
    const { model, render } = exporter(600_000);
    model.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ prometheus: healthy }, [ALERTS], ['alerts.yml']) });
    let text = render();
    expect(sampleValue(text, 'butler_remote_time', { file: 'cfg.example.com/rules/alerts.yml' })).toBe(1);
    expect(sampleValue(text, 'butler_lkg', { manager: 'prometheus' })).toBe(1);

    model.apply({ kind: 'scrape', at: 2000, instance: I, snapshot: snapshot({}) });
    text = render();
    for (const name of ['butler_reload_status', 'butler_reload_time', 'butler_lkg']) expect(sampleValue(text, name, { manager: 'prometheus' }), name).toBeUndefined();
    expect(sampleValue(text, 'butler_reloads_total', { manager: 'prometheus', result: 'success' })).toBe(0);
    expect(sampleValue(text, 'butler_lkg_restores_total', { manager: 'prometheus' })).toBe(0);
    for (const name of ['butler_remote_status', 'butler_remote_time', 'butler_cfg_mustache', 'butler_cfg_render']) expect(sampleValue(text, name, { file: 'cfg.example.com/rules/alerts.yml' }), name).toBeUndefined();
    expect(sampleValue(text, 'butler_write', { file: 'alerts.yml' })).toBeUndefined();

    // Back within the grace period: everything shows again.
    model.apply({ kind: 'scrape', at: 3000, instance: I, snapshot: snapshot({ prometheus: healthy }, [ALERTS], ['alerts.yml']) });
    text = render();
    expect(sampleValue(text, 'butler_reload_status', { manager: 'prometheus' })).toBe(200);
    expect(sampleValue(text, 'butler_remote_time', { file: 'cfg.example.com/rules/alerts.yml' })).toBe(1);
    expect(sampleValue(text, 'butler_write', { file: 'alerts.yml' })).toBe(1);
  });

  it('shows only the counters of a target discovery no longer lists, during the grace period', () => {
    const { model, render } = exporter(600_000);
    model.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ prometheus: healthy }, [ALERTS], ['alerts.yml']) });
    render();
    model.apply({ kind: 'targets', at: 2000, instances: [] });
    let text = render();
    expect(text.split('\n').filter((l) => l.startsWith('butler_')).map((l) => l.split('{')[0]).sort()).toEqual([
      'butler_lkg_restores_total',
      ...Array(4).fill('butler_reloads_total'),
    ]);
    model.apply({ kind: 'targets', at: 3000, instances: [I] });
    text = render();
    expect(sampleValue(text, 'butler_target_up', { instance: I })).toBe(1);
    expect(sampleValue(text, 'butler_reload_status', { manager: 'prometheus' })).toBe(200);
  });

  it('gives butler.toml, and only it, the retrieve interval', () => {
    const { model, render } = exporter(600_000);
    model.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({}, [TOML, ALERTS]) });
    const text = render();
    expect(sampleValue(text, 'butler_retrieve_interval_seconds', { instance: I, file: 'cfg.example.com/butler/butler.toml' })).toBe(300);
    expect(text.split('\n').filter((l) => l.startsWith('butler_retrieve_interval_seconds'))).toHaveLength(1);
    expect(sampleValue(text, 'butler_scheduler_interval_seconds', { instance: I })).toBe(60);
  });
});
