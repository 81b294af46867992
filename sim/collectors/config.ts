/** The `sim.collectors` section: how many agents, where the collectors exporter listens, how much churn. */
import { z } from 'zod';
import { bool, int, num, str, url } from '../../exporters/core/config.js';

export const collectorsSimSchema = z
  .object({
    enabled: bool().default(true),
    count: int(1, 100_000).default(50),
    /** Share of agents on WebSocket; the rest poll over HTTP. */
    websocket_share: num(0, 1).default(0.2),
    opamp_url: url().default('http://127.0.0.1:4320/v1/opamp'),
    events_url: url().default('http://127.0.0.1:9810/api/v1/collectors/events'),
    events_token: str().optional(),
    heartbeat_seconds: num(0.05).default(30),
    /** Average seconds between churn events across the fleet (a config rollout step, a clean restart). */
    churn_interval_seconds: num(0.05).default(60),
    /** How long a churn event lasts (APPLYING before APPLIED, a restart's downtime). */
    churn_duration_seconds: num(0.01).default(3),
    /** A fake Bindplane API listing more simulated collectors, for the collectors exporter's poller. */
    bindplane: z
      .object({
        enabled: bool().default(true),
        host: str().default('127.0.0.1'),
        port: int(0, 65535).default(9821),
        agents: int(0, 10_000).default(10),
        api_key: str().default('sim-bindplane-key'),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export type CollectorsSimConfig = z.output<typeof collectorsSimSchema>;
