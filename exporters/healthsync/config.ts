/** The `healthsync:` section of the config file. */
import { z } from 'zod';
import { int, num, str, url } from '../core/config.js';
import { sectionSchema } from '../core/runtime.js';

export const healthsyncConfigSchema = sectionSchema(9812, {
  /** Agent payloads can carry topology too; the receiver's own limit is not documented. */
  body_limit_bytes: int(1).default(8 * 1024 * 1024),
  /** Accepted values of the api_key query parameter; none configured means no check. From env or a file, never the repo. */
  api_keys: z.array(str().pipe(z.string().min(1, 'expected a non-empty key'))).default([]),
  /** A file with one key per line. */
  api_keys_file: str().optional(),
  /** Late after this many repeat intervals without complete data (see the README for why 2). */
  late_tolerance: num(1).default(2),
  /** A sub stream known only by its errors (never set up, or expired) is forgotten after this long without a message. */
  forget_unknown_substreams_after_seconds: int(1).default(3600),
  limits: z
    .object({
      streams: int(1).default(100),
      /** Over all streams; each costs about ten series. */
      substreams: int(1).default(5000),
      /** Check states held over all sub streams (applied and in open snapshots); bounds memory, not series. */
      check_states: int(1).default(500_000),
    })
    .strict()
    .default({}),
  tee: z
    .object({
      /** The upstream receiver's intake URL, e.g. https://stackstate.example/receiver/stsAgent/intake; tee mode is on when set. */
      url: url().optional(),
      /** Sent upstream as the api_key query parameter; from env or a file. */
      api_key: str().optional(),
      api_key_file: str().optional(),
      /** Default: healthsync-tee.sqlite in the data directory. */
      spool_file: str().optional(),
      spool_max_bytes: int(1).default(512 * 1024 * 1024),
      timeout_seconds: num(0.001).default(10),
      backoff_initial_seconds: num(0.001).default(1),
      backoff_max_seconds: num(0.001).default(60),
    })
    .strict()
    .default({}),
});

export type HealthsyncConfig = z.output<typeof healthsyncConfigSchema>;
