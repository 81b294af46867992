/**
 * The `sim.butler` section: how many simulated Butlers and what they manage,
 * how often they run, where they listen and how the exporter finds them,
 * where their log lines go, how much churn.
 */
import { z } from 'zod';
import { bool, int, num, port, str, url } from '../../exporters/core/config.js';

export const butlerSimSchema = z
  .object({
    enabled: bool().default(true),
    /** Simulated Butlers, each serving its own /metrics on its own port. */
    count: int(1, 1000).default(12),
    /** Managers per Butler, from prometheus, alertmanager, ruler, blackbox, federation (in that order). */
    managers_per_butler: int(1, 5).default(3),
    /** Files per manager: one primary config plus additional ones (rules, templates, modules). */
    files_per_manager: int(1, 50).default(3),
    /**
     * Butler's [globals] scheduler-interval: one config-management cycle per
     * Butler this often. The exporter's butler.scheduler_interval_seconds
     * must be at least this, or ButlerRemoteStale fires on healthy Butlers.
     */
    scheduler_interval_seconds: num(0.05).default(30),
    /**
     * Butler's -config.retrieve-interval: each Butler fetches its butler.toml
     * this often, on its own loop (Butler's default, 300). The exporter's
     * butler.retrieve_interval_seconds must be at least this.
     */
    retrieve_interval_seconds: num(0.05).default(300),
    /** Managers whose Butler config has manager-timeout-ok = "true"; mirror them in the exporter's butler.managers. */
    timeout_ok_managers: z.array(str()).default(['alertmanager']),
    /** The repo Butlers fetch their files from: the `repo` label, and the host of the URLs they log. */
    repo: str().default('cfg.sim.example'),
    /** Where the Butlers' /metrics servers listen. */
    host: str().default('127.0.0.1'),
    /** The n-th Butler listens on base_port + n; 0 lets the OS pick (instances then change when the simulator restarts). */
    base_port: port().default(9850),
    /** The name the exporter reaches the Butlers by, in the file_sd file: 127.0.0.1 here, `sim` in docker compose. */
    advertise_host: str().default('127.0.0.1'),
    /** The Prometheus file_sd file listing the Butlers (advertise_host:port), for the exporter's butler.file_sd.files. */
    file_sd_path: str().default('./data/sim-targets/butler.json'),
    /** Butler's log lines that carry reload and download codes, POSTed to the exporter's log intake. */
    logs: z
      .object({
        enabled: bool().default(true),
        url: url().default('http://127.0.0.1:9813/api/v1/butler/logs'),
        /** The intake's bearer token, when the exporter sets butler.logs.http.token. */
        token: str().optional(),
      })
      .strict()
      .default({}),
    churn: z
      .object({
        /** Average seconds between churn events across the fleet: mostly a new version of one file, which reloads fine. */
        interval_seconds: num(0.01).default(10),
        /** Share of events that are a download retried once after a transport error, then fetched. */
        retry_share: num(0, 1).default(0.1),
        /** Share of events that are a change whose reload times out on a timeout-ok manager (tolerated: no alert). */
        tolerated_timeout_share: num(0, 1).default(0.05),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export type ButlerSimConfig = z.output<typeof butlerSimSchema>;
