/** The `connectors:` section of the config file. */
import { isIP } from 'node:net';
import { z } from 'zod';
import { bearerTokenFields, bool, int, num, port, str } from '../core/config.js';
import { sectionSchema } from '../core/runtime.js';
import { AddressError, parseAddress } from './targets.js';

/** A connector name or instance id as it may appear in a label. */
export const MAX_NAME_LENGTH = 256;
const name = () => str().pipe(z.string().min(1, 'expected a non-empty name').max(MAX_NAME_LENGTH, `expected at most ${MAX_NAME_LENGTH} characters`));
/** host[:port], checked here so a bad one stops start-up naming the key. */
const address = () =>
  str().superRefine((text, ctx) => {
    try {
      parseAddress(text, 1);
    } catch (err) {
      if (!(err instanceof AddressError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  });
/** A resolver: an IP address, optionally with a port. */
const resolver = () =>
  str().refine((text) => {
    try {
      return isIP(parseAddress(text, 53).host) !== 0;
    } catch {
      return false;
    }
  }, 'expected a resolver IP address, optionally with :port ([ipv6]:port)');
const path = () => str().pipe(z.string().startsWith('/', 'expected a path starting with /'));

export const connectorsConfigSchema = sectionSchema(9811, {
  probe: z
    .object({
      interval_seconds: num(0.01).default(10),
      timeout_seconds: num(0.01).default(2),
      /** The health port, for targets given without one. */
      port: port().default(8080),
      health_path: path().default('/health'),
      ready_path: path().default('/ready'),
      /** Probes in flight at once. */
      concurrency: int(1, 10_000).default(256),
    })
    .strict()
    .default({}),
  /** Fixed instances, like Prometheus static_configs: [{connector, targets: [host[:port], ...]}]. */
  static: z
    .array(z.object({ connector: name(), targets: z.array(address()).min(1, 'expected at least one target') }).strict())
    .default([]),
  /** Prometheus file_sd files (JSON or YAML); each group names its connector with a label. */
  file_sd: z
    .object({
      files: z.array(str()).default([]),
      /** The group label holding the connector name. */
      connector_label: str().default('connector'),
      /** Re-read every file this often as well, in case a change event is missed. */
      refresh_seconds: num(1).default(300),
    })
    .strict()
    .default({}),
  /** DNS names re-resolved (A and AAAA) every probe interval; every address is an instance. */
  dns: z
    .object({
      names: z.array(z.object({ name: str().pipe(z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a DNS name')), connector: name(), port: port().optional() }).strict()).default([]),
      /** Resolvers as ip or ip:port ([ipv6]:port); empty means the system's. */
      servers: z.array(resolver()).default([]),
      timeout_seconds: num(0.01).default(2),
    })
    .strict()
    .default({}),
  heartbeat: z
    .object({
      /** How often a connector sends formal.connector.instance.heartbeat. */
      otlp_interval_seconds: num(0.01).default(30),
      /** A heartbeat is missed when the silence passes interval × tolerance. */
      tolerance: num(1).default(1.5),
    })
    .strict()
    .default({}),
  /** How long an instance that left discovery is still probed and shown before its series go. */
  grace_period_seconds: num(0).default(300),
  otlp: z
    .object({
      enabled: bool().default(true),
      body_limit_bytes: int(1).default(4 * 1024 * 1024),
      /** The connector of an instance whose telemetry has no ConnectorName and that no target names. */
      default_connector: name().default('default'),
      /** Instances known only from OTLP (never discovered) at most; more are refused. */
      max_instances: int(1).default(10_000),
      /** An instance known only from OTLP is forgotten after this long without data. */
      forget_after_seconds: num(1).default(24 * 3600),
      /** formal.* data points per request at most; resources past it are refused in a partial success. */
      max_data_points: int(1).default(100_000),
      /** Bearer token required when set; from env or a file. None: open. */
      ...bearerTokenFields(),
    })
    .strict()
    .default({}),
});

export type ConnectorsConfig = z.output<typeof connectorsConfigSchema>;
