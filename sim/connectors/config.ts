/**
 * The `sim.connectors` section: which fake Formal connectors run, where
 * their health ports listen and how the exporter reaches them, where their
 * OTLP goes, where the file_sd file is written, and how long each phase of
 * an instance's life lasts.
 *
 * Phases the exporter must see to tell a graceful stop from a crash (a
 * drain, a crash's downtime) have to outlast its `probe.interval_seconds`;
 * the defaults suit its default 10 s. Scale every duration together with
 * the exporter's intervals (the end-to-end test runs all of them fast).
 */
import { z } from 'zod';
import { bool, int, num, port, str, url } from '../../exporters/core/config.js';

/** One process serves them all: a port, an HTTP server and an OTLP sender each. */
const MAX_INSTANCES = 5000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const connectorsSimSchema = z
  .object({
    enabled: bool().default(true),
    /** The logical connectors; each runs `instances_per_connector` instances. */
    connectors: z
      .array(str().pipe(z.string().regex(NAME, 'expected a connector name (letters, digits, . _ -, at most 64)')))
      .min(1, 'expected at least one connector')
      .refine((names) => new Set(names).size === names.length, 'expected distinct connector names')
      .default(['postgres-prod', 'postgres-staging', 'snowflake', 'bigquery', 'mysql-billing', 'mongodb-events']),
    /** At least 3, so that one instance restarting or faulted still leaves two ready (no redundancy alert). */
    instances_per_connector: int(3, 500).default(3),
    /** service.version of every instance… */
    version: str().default('1.36.2'),
    /** …but the one the version-skew fault restarts. */
    skew_version: str().default('1.37.0'),

    /** Where instances send OTLP/HTTP metrics: the connectors exporter, or a Collector that forwards formal.* to it. */
    otlp_url: url().default('http://127.0.0.1:9811/v1/metrics'),
    otlp_protocol: z.enum(['protobuf', 'json']).default('protobuf'),
    /** The Prometheus file_sd file listing the instances (group label `connector`), for the exporter's file_sd.files. */
    file_sd_path: str().default('./data/sim/connectors.json'),

    /** Health ports listen here… */
    host: str().default('127.0.0.1'),
    /** …on base_port, base_port + 1, … (0: any free port, kept across restarts). */
    base_port: port().default(18080),
    /** The name the exporter reaches the health ports by; also each instance's service.instance.id host. */
    advertise_host: str().pipe(z.string().regex(/^[A-Za-z0-9._:-]+$/, 'expected a host name or IP address')).default('127.0.0.1'),

    /** OTLP export period of each instance (the connector's documented 30 s). */
    heartbeat_seconds: num(0.05).default(30),
    /** Alive but not ready after a start, before /ready answers 200. */
    startup_seconds: num(0.01).default(15),
    /** /ready 503 while alive before a graceful stop; must outlast the exporter's probe interval. */
    drain_seconds: num(0.01).default(20),
    /** Down between a stop and the next start; must outlast the exporter's probe interval. */
    down_seconds: num(0.01).default(15),
    /** Average seconds between graceful rolling restarts across the fleet (one at a time). */
    churn_interval_seconds: num(0.05).default(300),
    /** connector-crash-loop: how long the instance stays up (after starting) before it dies again. */
    crash_loop_seconds: num(0.01).default(45),
    /** connector-discovery-invalid: how often the broken file is rewritten (each rewrite is one discovery error). */
    discovery_rewrite_seconds: num(0.05).default(60),
  })
  .strict()
  .superRefine((c, ctx) => {
    const total = c.connectors.length * c.instances_per_connector;
    if (total > MAX_INSTANCES) ctx.addIssue({ code: 'custom', path: ['instances_per_connector'], message: `expected at most ${MAX_INSTANCES} instances in all (got ${total})` });
    const last = c.base_port + total - 1;
    if (c.base_port !== 0 && last > 65535) {
      ctx.addIssue({ code: 'custom', path: ['base_port'], message: `expected room for ${total} ports below 65536 (the last would be ${last})` });
    }
  })
  .default({});

export type ConnectorsSimConfig = z.output<typeof connectorsSimSchema>;
