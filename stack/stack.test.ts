/**
 * The compose stack, checked without a Docker engine: the compose file
 * against the Compose specification, every config in stack/ with the tool
 * that owns its format (promtool; amtool in alerts/alertmanager.test.ts),
 * the Collector config's structure, and the wiring between them.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rootConfigSchema } from '../exporters/config.js';
import { loadConfig } from '../exporters/core/config.js';
import { EXPORTERS } from '../exporters/registry.js';
import { PROMETHEUS_UID } from '../dashboards/lib/dashboard.js';
import { requireBinary, run } from '../test/support/binaries.js';
import { tempDir } from '../test/support/exporter.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const yaml = (path: string) => parse(read(path), { merge: true }) as Record<string, any>;

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
}
/** The Compose Specification's JSON schema, as the dclint package ships it. */
const composeSchema = JSON.parse(readFileSync(join(root, 'node_modules/dclint/schemas/compose.schema.json'), 'utf8')) as Record<string, unknown>;

const compose = yaml('docker-compose.yml') as { services: Record<string, Service>; volumes: Record<string, unknown>; secrets: Record<string, { file: string }> };
const services = Object.entries(compose.services);

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    // Ajv knows draft-07 by its http URL; the schema names it by https.
    const validate = ajv.compile({ ...composeSchema, $schema: undefined });
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    // …and the schema does catch mistakes.
    expect(validate({ services: { x: { image: 'a:1', healthcheck: { retries: 'many' } } }, volumes: { v: { drivr: 'local' } } })).toBe(false);
  });

  it('has every part of the stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'butler', 'collectors', 'connectors', 'grafana', 'healthsync', 'otel-collector', 'pager', 'prometheus', 'sim'].sort());
  });

  it.each(services)('%s: pinned image, health check, start order by health', (_name, s) => {
    if (s.image && !s.build) expect(s.image, 'pinned to a version').toMatch(/:v?\d+\.\d+\.\d+$/);
    expect(s.healthcheck?.test?.length, 'health check').toBeGreaterThan(0);
    for (const [dep, how] of Object.entries(s.depends_on ?? {})) {
      expect(compose.services[dep], dep).toBeDefined();
      expect(how.condition).toBe('service_healthy');
    }
  });

  it('mounts only files and volumes that exist', () => {
    for (const [name, s] of services) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(join(root, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `${name}: volume ${source}`).toHaveProperty(source);
      }
    }
  });

  it('keeps secrets out of the repo: the routing key comes from the environment or a file', () => {
    expect(read('docker-compose.yml')).not.toMatch(/^\s*routing_key:/m);
    expect(compose.services.alertmanager!.environment!.PAGERDUTY_ROUTING_KEY).toBe('${PAGERDUTY_ROUTING_KEY:-}');
    expect(read('stack/alertmanager/no-routing-key')).toBe('');
  });

  it('publishes each exporter on the port its config listens on', () => {
    const config = loadConfig(rootConfigSchema, { files: [join(root, 'stack/fleetwatch/fleetwatch.yml'), join(root, 'stack/fleetwatch/sim.yml')] }) as Record<string, any>;
    for (const e of EXPORTERS) {
      const port = config[e.name].listen.port as number;
      expect(compose.services[e.name]!.ports, e.name).toContain(`${port}:${port}`);
    }
  });
});

describe('stack/fleetwatch', () => {
  it.each(['sim.yml', 'real.yml'])('fleetwatch.yml with %s is a valid configuration', (overlay) => {
    expect(() => loadConfig(rootConfigSchema, { files: [join(root, 'stack/fleetwatch/fleetwatch.yml'), join(root, 'stack/fleetwatch', overlay)] })).not.toThrow();
  });
});

describe('stack/prometheus', () => {
  const prometheus = yaml('stack/prometheus/prometheus.yml') as { rule_files: string[]; scrape_configs: Array<{ job_name: string; honor_labels?: boolean; static_configs: Array<{ targets: string[] }> }> };

  it('passes promtool check config, with the generated rules', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'rules'));
    copyFileSync(join(root, 'alerts/generated/fleetwatch.rules.yml'), join(dir, 'rules/fleetwatch.rules.yml'));
    writeFileSync(join(dir, 'prometheus.yml'), read('stack/prometheus/prometheus.yml').replace('/etc/prometheus/rules/', `${dir}/rules/`));
    const r = run(requireBinary('promtool'), ['check', 'config', join(dir, 'prometheus.yml')]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('scrapes every exporter (with honor_labels), the Collector and itself, at the compose service addresses', () => {
    const targets = Object.fromEntries(prometheus.scrape_configs.map((s) => [s.job_name, s]));
    for (const e of EXPORTERS) {
      const job = targets[`fleetwatch-${e.name}`];
      expect(job?.honor_labels, e.name).toBe(true);
      const [host] = job!.static_configs[0]!.targets[0]!.split(':');
      expect(compose.services[host!], e.name).toBeDefined();
    }
    for (const job of ['otel-collector', 'prometheus', 'alertmanager']) expect(targets[job], job).toBeDefined();
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/rules/*.rules.yml']);
  });
});

describe('stack/otelcol', () => {
  const otel = yaml('stack/otelcol/config.yaml') as Record<string, any>;

  it('references only components it defines', () => {
    for (const [name, p] of Object.entries(otel.service.pipelines as Record<string, Record<string, string[]>>)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const c of p[kind] ?? []) expect(otel[kind], `${name}: ${kind} ${c}`).toHaveProperty(c);
      }
      expect(p.receivers?.length, name).toBeGreaterThan(0);
      expect(p.exporters?.length, name).toBeGreaterThan(0);
    }
    for (const e of otel.service.extensions as string[]) expect(otel.extensions).toHaveProperty(e);
  });

  it('receives OTLP on all interfaces, forwards connectors to their exporter, reports itself over OpAMP', () => {
    expect(otel.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(otel.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(otel.exporters['otlphttp/connectors'].endpoint).toBe('http://connectors:9811');
    expect(otel.extensions.opamp.server.ws.endpoint).toBe('ws://collectors:4320/v1/opamp');
    expect(otel.exporters.prometheus.endpoint).toBe('0.0.0.0:8889');
  });
});

describe('stack/grafana', () => {
  it('provisions the data source by the uid the dashboards use, and the generated dashboards', () => {
    const ds = yaml('stack/grafana/provisioning/datasources/prometheus.yml');
    expect(ds.datasources.find((d: { type: string }) => d.type === 'prometheus').uid).toBe(PROMETHEUS_UID);
    const dashboards = yaml('stack/grafana/provisioning/dashboards/fleetwatch.yml');
    const path = dashboards.providers[0].options.path as string;
    expect(compose.services.grafana!.volumes).toContain(`./dashboards/generated:${path}:ro`);
  });
});
