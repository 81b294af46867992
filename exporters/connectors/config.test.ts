import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { connectorsConfigSchema } from './config.js';

const load = (...sets: string[]) => loadConfig(connectorsConfigSchema, { sets });

describe('connectors config', () => {
  it('defaults to the issue\'s numbers: port 9811, probes every 10 s with a 2 s timeout on port 8080, 30 s heartbeats', () => {
    const c = load();
    expect(c.listen.port).toBe(9811);
    expect(c.probe).toMatchObject({ interval_seconds: 10, timeout_seconds: 2, port: 8080, health_path: '/health', ready_path: '/ready' });
    expect(c.heartbeat).toEqual({ otlp_interval_seconds: 30, tolerance: 1.5 });
    expect(c.otlp).toMatchObject({ enabled: true, default_connector: 'default', max_data_points: 100_000 });
    // No token: the OTLP receiver is open, as before.
    expect(c.otlp.token ?? c.otlp.token_file).toBeUndefined();
  });

  it('stops start-up on a bad target, naming the key and the problem', () => {
    expect(() => load('static=[{connector: pg, targets: ["http://10.0.0.1:8080"]}]')).toThrow(/static\.0\.targets\.0: .*give host\[:port\], not a URL/);
    expect(() => load('static=[{connector: "", targets: [a]}]')).toThrow(/static\.0\.connector: expected a non-empty name/);
  });

  it('checks DNS names and resolvers', () => {
    expect(load('dns.servers=[127.0.0.1:5353, "[::1]:53", 10.0.0.2]').dns.servers).toHaveLength(3);
    expect(() => load('dns.servers=[dns.example.com]')).toThrow(/dns\.servers\.0: expected a resolver IP address/);
    expect(() => load('dns.names=[{name: "bad name", connector: pg}]')).toThrow(/dns\.names\.0\.name: expected a DNS name/);
  });
});
