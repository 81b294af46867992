import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { healthsyncConfigSchema } from './config.js';

describe('healthsync config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig(healthsyncConfigSchema, {});
    expect(c).toMatchObject({
      listen: { host: '0.0.0.0', port: 9812 },
      body_limit_bytes: 8 * 1024 * 1024,
      api_keys: [],
      late_tolerance: 2,
      forget_unknown_substreams_after_seconds: 3600,
      limits: { streams: 100, substreams: 5000, check_states: 500_000 },
      tee: { spool_max_bytes: 512 * 1024 * 1024, timeout_seconds: 10, backoff_initial_seconds: 1, backoff_max_seconds: 60 },
    });
    expect(c.tee.url).toBeUndefined();
  });

  it('takes overrides as strings and names the key of a bad value', () => {
    const env = { FLEETWATCH_API_KEYS: '[a, b]', FLEETWATCH_LATE_TOLERANCE: '1.5', FLEETWATCH_TEE__URL: 'http://receiver:7077/stsAgent/intake' };
    expect(loadConfig(healthsyncConfigSchema, { env })).toMatchObject({ api_keys: ['a', 'b'], late_tolerance: 1.5, tee: { url: 'http://receiver:7077/stsAgent/intake' } });
    expect(() => loadConfig(healthsyncConfigSchema, { sets: ['late_tolerance=0.5'] })).toThrow(/late_tolerance: expected a number >= 1/);
    expect(() => loadConfig(healthsyncConfigSchema, { sets: ['api_keys=[""]'] })).toThrow(/api_keys.0: expected a non-empty key/);
    expect(() => loadConfig(healthsyncConfigSchema, { sets: ['tee.url=receiver'] })).toThrow(/tee.url: expected a URL/);
    expect(() => loadConfig(healthsyncConfigSchema, { sets: ['limits.sub_streams=5'] })).toThrow(/limits: unknown key\(s\) "sub_streams"/);
  });
});
