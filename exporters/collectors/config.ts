/** The `collectors:` section of the config file. */
import { z } from 'zod';
import { bearerTokenFields, bool, int, listenSchema, str, url } from '../core/config.js';
import { sectionSchema } from '../core/runtime.js';
import { STATES } from './states.js';

/** Bindplane's documented status codes; Pending and Incompatible have no public code yet. */
export const DEFAULT_BINDPLANE_STATUS_MAP: Record<string, (typeof STATES)[number]> = {
  '0': 'Disconnected',
  '1': 'Connected',
  '2': 'Error',
  '6': 'Configuring',
  '7': 'Upgrading',
};

export const collectorsConfigSchema = sectionSchema(9810, {
  /** all: one-hot over seven states; current: only the state it is in; none: fleet families only. */
  per_collector_series: z.enum(['all', 'current', 'none']).default('all'),
  /** Silence after which an OpAMP collector is Disconnected: 3 × the 30 s heartbeat. */
  disconnect_after_seconds: int(1).default(90),
  /** A collector Disconnected this long is forgotten (its series go); 0 keeps it forever. */
  forget_disconnected_after_seconds: int(0).default(24 * 3600),
  opamp: z
    .object({
      enabled: bool().default(true),
      listen: listenSchema(4320),
      path: str().default('/v1/opamp'),
      body_limit_bytes: int(1).default(16 * 1024 * 1024),
    })
    .strict()
    .default({}),
  bindplane: z
    .object({
      enabled: bool().default(false),
      url: url().optional(),
      /** From FLEETWATCH_COLLECTORS__BINDPLANE__API_KEY, or a file; never in the repo. */
      api_key: str().optional(),
      api_key_file: str().optional(),
      interval_seconds: int(1).default(60),
      timeout_seconds: int(1).default(10),
      page_size: int(1, 10000).default(500),
      /** Extra or overriding status codes, e.g. {"8": "Pending"}. */
      status_map: z.record(z.string().regex(/^\d+$/, 'status codes are whole numbers'), z.enum(STATES)).default({}),
    })
    .strict()
    .default({})
    .refine((b) => !b.enabled || b.url, { message: 'bindplane.url is required when bindplane.enabled is true', path: ['url'] }),
  events: z
    .object({
      enabled: bool().default(true),
      /** Bearer token required when set; from env or a file. */
      ...bearerTokenFields(),
    })
    .strict()
    .default({}),
});

export type CollectorsConfig = z.output<typeof collectorsConfigSchema>;
