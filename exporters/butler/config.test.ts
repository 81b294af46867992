import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../core/config.js';
import { butlerConfigSchema } from './config.js';
import { staticTarget } from './sources/targets.js';

describe('butler config', () => {
  it('has defaults for everything', () => {
    const config = loadConfig(butlerConfigSchema, {});
    expect(config.listen.port).toBe(9813);
    expect(config.scrape).toEqual({ interval_seconds: 15, timeout_seconds: 10, max_body_bytes: 32 * 1024 * 1024, concurrency: 8 });
    expect(config.scheduler_interval_seconds).toBe(300);
    expect(config.retrieve_interval_seconds).toBe(300);
    expect(config.stale_after_seconds).toBe(900);
    expect(config.managers).toEqual({});
    expect(config.logs.http.enabled).toBe(true);
  });

  it('takes targets and per-manager settings from flags and the environment', () => {
    const config = loadConfig(butlerConfigSchema, {
      sets: ['targets=[butler-1:8080, "https://butler-2.example.com:8443/metrics"]', 'managers={alertmanager: {manager_timeout_ok: "true"}}'],
      env: { FLEETWATCH_SCHEDULER_INTERVAL_SECONDS: '60' },
    });
    expect(config.targets.map(staticTarget)).toEqual([
      { instance: 'butler-1:8080', url: 'http://butler-1:8080/metrics' },
      { instance: 'butler-2.example.com:8443', url: 'https://butler-2.example.com:8443/metrics' },
    ]);
    expect(config.managers.alertmanager?.manager_timeout_ok).toBe(true);
    expect(config.scheduler_interval_seconds).toBe(60);
  });

  it('names a URL target host:port even when its port is the scheme\'s default, as the log intake expects', () => {
    expect(['https://b:443/metrics', 'http://b/metrics', 'https://[::1]/butler/metrics'].map((t) => staticTarget(t).instance)).toEqual(['b:443', 'b:80', '[::1]:443']);
    expect(staticTarget('https://b:443/metrics').url).toBe('https://b/metrics');
  });

  it('names the key and what was expected', () => {
    expect(() => loadConfig(butlerConfigSchema, { sets: ['targets=[butler-1]'] })).toThrow(ConfigError);
    expect(() => loadConfig(butlerConfigSchema, { sets: ['targets=[butler-1]'] })).toThrow(/targets\.0: expected host:port or an http\(s\) URL/);
    expect(() => loadConfig(butlerConfigSchema, { sets: ['managers={prometheus: {timeout-ok: true}}'] })).toThrow(/managers\.prometheus: unknown key\(s\) "timeout-ok"/);
    expect(() => loadConfig(butlerConfigSchema, { sets: ['scrape.timeout_seconds=0'] })).toThrow(/scrape\.timeout_seconds: expected a number >= 0.01/);
  });
});
