import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { matchRemoteFile, renderMethod, type RemoteFileRecord } from './file-phases.js';
import { ButlerModel, COLLECTIONS, type ButlerRecord } from './model.js';
import { fileLabel, NO_RESPONSE, UNKNOWN_FAILURE, type ButlerSnapshot, type ManagerSample } from './observations.js';

const I = 'butler-1:8080';

function snapshot(managers: Record<string, ManagerSample>, processStartSeconds?: number): ButlerSnapshot {
  return { processStartSeconds, managers: new Map(Object.entries(managers)), remoteFiles: new Map(), writtenFiles: new Map() };
}

function model(timeoutOk: string[] = [], staleAfterMs = 600_000): ButlerModel {
  const m = new ButlerModel({ staleAfterMs, timeoutOk: (name) => timeoutOk.includes(name) });
  m.apply({ kind: 'targets', at: 0, instances: [I] });
  return m;
}

const rec = (m: ButlerModel, name = 'prometheus') => m.get(I)!.managers.get(name)!;

describe('butler model', () => {
  it('without process_start_time_seconds, a reload count going down is a restart, not attempts', () => {
    const clock = new ManualClock();
    const m = model();
    m.apply({ kind: 'scrape', at: clock.now(), instance: I, snapshot: snapshot({ prometheus: { reloadCount: 7, reloadSuccess: 1, reloadTimeSeconds: 100 } }) });
    m.apply({ kind: 'scrape', at: clock.advance(15_000), instance: I, snapshot: snapshot({ prometheus: { reloadCount: 1, reloadSuccess: 1, reloadTimeSeconds: 200 } }) });
    expect(rec(m).reloads).toEqual({ success: 1, failure: 0, timeout: 0, unknown: 0 });
  });

  it('with process_start_time_seconds unchanged, a count coming back lower is a tolerated timeout then new attempts', () => {
    const m = model(['prometheus']);
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 7, reloadSuccess: 1 } }, 50) });
    m.apply({ kind: 'scrape', at: 2000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 1, reloadSuccess: 0 } }, 50) });
    expect(rec(m).reloads).toEqual({ success: 0, failure: 1, timeout: 1, unknown: 0 });
  });

  it('refines a revealed failure with a late log line, but not a success with an old one', () => {
    const m = model();
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 1, reloadSuccess: 1, reloadTimeSeconds: 0.5 } }, 50) });
    m.apply({ kind: 'scrape', at: 20_000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 2, reloadSuccess: 0 } }, 50) });
    expect([rec(m).status, rec(m).time]).toEqual([UNKNOWN_FAILURE, 20_000]);
    m.apply({ kind: 'reload_logged', at: 21_000, instance: I, manager: 'prometheus', code: 404, loggedAt: 12_000 });
    expect([rec(m).status, rec(m).time]).toEqual([404, 12_000]);

    m.apply({ kind: 'scrape', at: 40_000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 3, reloadSuccess: 1, reloadTimeSeconds: 35 } }, 50) });
    m.apply({ kind: 'reload_logged', at: 41_000, instance: I, manager: 'prometheus', code: 500, loggedAt: 30_000 });
    expect([rec(m).status, rec(m).time]).toEqual([200, 35_000]);
  });

  it('does not use a log code from before the previous scrape for a newly revealed failure', () => {
    const m = model();
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 1, reloadSuccess: 0 } }, 50) });
    m.apply({ kind: 'reload_logged', at: 2000, instance: I, manager: 'prometheus', code: 503, loggedAt: 900 });
    m.apply({ kind: 'scrape', at: 3000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 1, reloadSuccess: 0 } }, 50) });
    m.apply({ kind: 'scrape', at: 4000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 2, reloadSuccess: 0 } }, 50) });
    expect([rec(m).status, rec(m).time]).toEqual([UNKNOWN_FAILURE, 4000]);
  });

  it('ignores a tolerated timeout in the log, but uses it if Butler counted it as a failure', () => {
    const m = model(['prometheus']);
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 1, reloadSuccess: 1, reloadTimeSeconds: 0.9 } }, 50) });
    m.apply({ kind: 'reload_logged', at: 2000, instance: I, manager: 'prometheus', code: NO_RESPONSE, loggedAt: 1900 });
    expect(rec(m).status).toBe(200);
    m.apply({ kind: 'scrape', at: 3000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 2, reloadSuccess: 0 } }, 50) });
    expect([rec(m).status, rec(m).time]).toEqual([NO_RESPONSE, 1900]);
  });

  it('drops a manager known only from the log after the grace period', () => {
    const m = model([], 600_000);
    m.apply({ kind: 'scrape', at: 0, instance: I, snapshot: snapshot({}, 50) });
    m.apply({ kind: 'reload_logged', at: 1000, instance: I, manager: 'ghost', code: 200, loggedAt: 1000 });
    m.tick(600_999);
    expect(m.get(I)!.managers.has('ghost')).toBe(true);
    m.tick(601_000);
    expect(m.get(I)!.managers.has('ghost')).toBe(false);
  });

  it('never reuses a render version for an entity dropped and seen again', () => {
    const m = model([], 0);
    const seen = () => m.apply({ kind: 'scrape', at: 0, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 1, reloadSuccess: 1 } }, 50) });
    seen();
    const first = m.version(I, 'm:prometheus');
    m.apply({ kind: 'scrape', at: 0, instance: I, snapshot: snapshot({}, 50) });
    m.tick(0);
    expect(m.version(I, 'm:prometheus')).toBe(0);
    seen();
    expect(m.version(I, 'm:prometheus')).toBeGreaterThan(first);
  });

  it('a tolerated timeout then a success between two scrapes: the count back where it was, the reload time newer', () => {
    const m = model(['alertmanager']);
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ alertmanager: { reloadCount: 1, reloadSuccess: 1, reloadTimeSeconds: 0.5, cached: 1 } }, 50) });
    m.apply({ kind: 'scrape', at: 300_000, instance: I, snapshot: snapshot({ alertmanager: { reloadCount: 1, reloadSuccess: 1, reloadTimeSeconds: 290, cached: 1 } }, 50) });
    expect(rec(m, 'alertmanager').reloads).toEqual({ success: 1, failure: 0, timeout: 1, unknown: 0 });
    expect([rec(m, 'alertmanager').status, rec(m, 'alertmanager').time, rec(m, 'alertmanager').lkg]).toEqual([200, 290_000, 290_000]);
  });

  it('a tolerated timeout then a failure between two scrapes: the reload time gone, the count back where it was', () => {
    const m = model(['alertmanager']);
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ alertmanager: { reloadCount: 1, reloadSuccess: 1, reloadTimeSeconds: 0.5, cached: 1 } }, 50) });
    m.apply({ kind: 'scrape', at: 300_000, instance: I, snapshot: snapshot({ alertmanager: { reloadCount: 1, reloadSuccess: 0, cached: 0, restored: 1 } }, 50) });
    expect(rec(m, 'alertmanager').reloads).toEqual({ success: 0, failure: 1, timeout: 1, unknown: 0 });
    expect(rec(m, 'alertmanager').restores).toBe(1);
  });

  it('one more attempt that failed cannot explain a newer reload time: the series were deleted in between', () => {
    const m = model(['alertmanager']);
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ alertmanager: { reloadCount: 1, reloadSuccess: 1, reloadTimeSeconds: 0.5 } }, 50) });
    m.apply({ kind: 'scrape', at: 300_000, instance: I, snapshot: snapshot({ alertmanager: { reloadCount: 2, reloadSuccess: 0, reloadTimeSeconds: 200 } }, 50) });
    expect(rec(m, 'alertmanager').reloads).toEqual({ success: 0, failure: 1, timeout: 1, unknown: 1 });
  });

  it('without process_start_time_seconds, reload series gone from a manager without timeout-ok are a restart, not a timeout', () => {
    const m = model(['alertmanager']);
    const both = { reloadCount: 3, reloadSuccess: 1, reloadTimeSeconds: 0.5, cached: 1 };
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ prometheus: both, alertmanager: both }) });
    // A new process: no reload yet, so no reload series and no LKG cache.
    m.apply({ kind: 'scrape', at: 60_000, instance: I, snapshot: snapshot({ prometheus: {}, alertmanager: {} }) });
    expect(rec(m, 'prometheus').reloads.timeout).toBe(0);
    expect(rec(m, 'alertmanager').reloads.timeout).toBe(0);
    expect(rec(m, 'prometheus').lkg).toBeUndefined();
  });

  it('without process_start_time_seconds, reload series gone from a manager with timeout-ok alone are a tolerated timeout', () => {
    const m = model(['alertmanager']);
    const both = { reloadCount: 3, reloadSuccess: 1, reloadTimeSeconds: 0.5, cached: 1 };
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ prometheus: both, alertmanager: both }) });
    m.apply({ kind: 'scrape', at: 60_000, instance: I, snapshot: snapshot({ prometheus: both, alertmanager: { cached: 1 } }) });
    expect(rec(m, 'alertmanager').reloads.timeout).toBe(1);
    expect(rec(m, 'alertmanager').lkg).toBe(500);
  });

  it('forgets the LKG time when Butler restarts: its cache was in the old process\' memory', () => {
    const m = model();
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 3, reloadSuccess: 1, reloadTimeSeconds: 0.5, cached: 1 } }, 50) });
    expect(rec(m).lkg).toBe(500);
    m.apply({ kind: 'scrape', at: 60_000, instance: I, snapshot: snapshot({ prometheus: {} }, 55) });
    expect(rec(m).lkg).toBeUndefined();
    // The new process caches at its first successful reload.
    m.apply({ kind: 'scrape', at: 120_000, instance: I, snapshot: snapshot({ prometheus: { reloadCount: 1, reloadSuccess: 1, reloadTimeSeconds: 110, cached: 1 } }, 55) });
    expect(rec(m).lkg).toBe(110_000);
  });

  it('restores from its store changes exactly, and deletes what it dropped', () => {
    const m = model([], 0);
    m.apply({ kind: 'scrape', at: 1000, instance: I, snapshot: { ...snapshot({ prometheus: { reloadCount: 1, reloadSuccess: 1, cached: 1, reloadTimeSeconds: 1 } }, 50), remoteFiles: new Map([['r/a.yml', { repo: 'r', configFile: 'a.yml', contactSuccess: 1, contactTimeSeconds: 1 }]]) } });
    const stored = new Map<string, Map<string, ButlerRecord>>(COLLECTIONS.map((c) => [c, new Map()]));
    const commit = () => {
      for (const change of m.takeChanges()) {
        if (change.value === undefined) stored.get(change.collection)!.delete(change.key);
        else stored.get(change.collection)!.set(change.key, JSON.parse(JSON.stringify(change.value)) as ButlerRecord);
      }
    };
    commit();
    const copy = new ButlerModel({ staleAfterMs: 0, timeoutOk: () => false });
    for (const c of COLLECTIONS) copy.restore(c, stored.get(c)!.values());
    expect(copy.get(I)).toEqual(m.get(I));

    m.apply({ kind: 'scrape', at: 2000, instance: I, snapshot: snapshot({}, 50) });
    m.tick(2000);
    commit();
    expect([...stored.get('managers')!.keys()]).toEqual([]);
    expect([...stored.get('remote_files')!.keys()]).toEqual([]);
    expect([...stored.get('targets')!.keys()]).toEqual([`${I}\ttarget`]);
  });
});

describe('butler file phases', () => {
  const file = (repo: string, configFile: string): RemoteFileRecord => ({ instance: I, file: fileLabel(repo, configFile), repo, configFile });

  it('matches a logged URL or path to the file, on its repo, and refuses ambiguity', () => {
    const files = [file('cfg.example.com', 'prometheus.yml'), file('cfg.example.com', 'rules/alerts.yml'), file('other.example.com', 'prometheus.yml'), file('cfg.example.com', '/butler/butler.toml')];
    expect(matchRemoteFile(files, 'https://cfg.example.com/butler/prometheus/rules/alerts.yml')?.file).toBe('cfg.example.com/rules/alerts.yml');
    expect(matchRemoteFile(files, 'https://other.example.com/p/prometheus.yml')?.file).toBe('other.example.com/prometheus.yml');
    expect(matchRemoteFile(files, 'https://cfg.example.com/butler/butler.toml')?.file).toBe('cfg.example.com/butler/butler.toml');
    expect(matchRemoteFile(files, '/srv/configs/rules/alerts.yml')?.file).toBe('cfg.example.com/rules/alerts.yml');
    expect(matchRemoteFile(files, '/srv/configs/prometheus.yml')).toBeUndefined();
    expect(matchRemoteFile(files, 'https://cfg.example.com/butler/unknown.yml')).toBeUndefined();
  });

  it('names the render method as Butler\'s auto content type picks it', () => {
    expect([renderMethod('prometheus.yml'), renderMethod('a.YAML'), renderMethod('b.json'), renderMethod('rules.txt'), renderMethod('noext')]).toEqual(['yml', 'yml', 'json', 'text', 'text']);
  });
});
