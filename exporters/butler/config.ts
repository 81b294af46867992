/** The `butler:` section of the config file. */
import { z } from 'zod';
import { bearerTokenFields, bool, int, num, str } from '../core/config.js';
import { sectionSchema } from '../core/runtime.js';

/** `host:port`, or a full http(s) URL of a Butler's /metrics. */
const targetSchema = str().refine(
  (t) => {
    if (/^https?:\/\//i.test(t)) return URL.canParse(t);
    return /^[^\s/:]+:\d{1,5}$/.test(t) || /^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(t);
  },
  { message: 'expected host:port or an http(s) URL such as http://butler-1:8080/metrics' },
);

export const butlerConfigSchema = sectionSchema(9813, {
  /** Static targets. */
  targets: z.array(targetSchema).default([]),
  /** Prometheus file_sd files (JSON or YAML); labels __scheme__ and __metrics_path__ are honoured. */
  file_sd: z
    .object({
      files: z.array(str()).default([]),
      /** Re-read this often too, in case a change event is missed. */
      refresh_seconds: int(1).default(60),
    })
    .strict()
    .default({}),
  scrape: z
    .object({
      interval_seconds: num(0.1).default(15),
      /** Covers connecting, the answer and reading the body. */
      timeout_seconds: num(0.01).default(10),
      /** A body over this is refused (Butler's is a few hundred kB for 1000 files). */
      max_body_bytes: int(1024).default(32 * 1024 * 1024),
      /** Targets scraped at once. */
      concurrency: int(1, 256).default(8),
    })
    .strict()
    .default({}),
  /** Butler's [globals] scheduler-interval: how often phase 1 runs for managed files; exported for alerting on butler_remote_time. */
  scheduler_interval_seconds: int(1).default(300),
  /** Butler's -config.retrieve-interval: how often it fetches butler.toml; exported for alerting on that file. */
  retrieve_interval_seconds: int(1).default(300),
  /** Butler's per-manager settings, by manager name, mirrored here. */
  managers: z
    .record(
      z.string().min(1, 'manager names are not empty'),
      z
        .object({
          /** Butler's manager-timeout-ok: a reload timeout is tolerated (no status, no time, no LKG restore). */
          manager_timeout_ok: bool().default(false),
        })
        .strict(),
    )
    .default({}),
  /** Managers, files and targets gone from Butler (or discovery) this long are dropped; 0 drops them at once. */
  stale_after_seconds: int(0).default(900),
  logs: z
    .object({
      /** Butler log files followed as they grow, each for one target (its instance, host:port). */
      files: z.array(z.object({ path: str(), instance: str() }).strict()).default([]),
      poll_interval_seconds: num(0.1).default(1),
      /** POST /api/v1/butler/logs?instance=<host:port> with text/plain log lines. */
      http: z
        .object({
          enabled: bool().default(true),
          /** Bearer token required when set; from env or a file. */
          ...bearerTokenFields(),
        })
        .strict()
        .default({}),
    })
    .strict()
    .default({}),
});

export type ButlerConfig = z.output<typeof butlerConfigSchema>;
