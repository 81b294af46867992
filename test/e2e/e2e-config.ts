/**
 * The end-to-end test's overlay on the stack's fleetwatch config: every
 * interval 30 times shorter than production, as the rules are, and a small
 * fleet. Mirrors what stack/fleetwatch/sim.yml wires, on free loopback ports.
 */
import { join } from 'node:path';
import { freePort } from '../support/ports.js';

/** Rules, exporters and simulator all run this much faster than life. */
export const TIME_SCALE = 1 / 30;

export async function e2eOverlay(dir: string): Promise<Record<string, unknown>> {
  const bindplanePort = await freePort();
  const receiverPort = await freePort();
  const spoolBytes = 32 * 1024 * 1024;
  const targets = (name: string) => join(dir, 'sim-targets', name);
  return {
    log_level: 'warn',
    collectors: {
      // 90 s → 3 s.
      disconnect_after_seconds: 3,
      bindplane: { url: `http://127.0.0.1:${bindplanePort}`, interval_seconds: 1 },
    },
    connectors: {
      // 10 s probes, 30 s heartbeats and a 300 s grace period, scaled. The probe timeout is scaled less
      // (0.4 s, not 0.07 s), so that a loaded two-core machine does not fail probes for being slow.
      probe: { interval_seconds: 0.5, timeout_seconds: 0.4 },
      heartbeat: { otlp_interval_seconds: 1 },
      grace_period_seconds: 10,
      file_sd: { files: [targets('connectors.json')], refresh_seconds: 1 },
    },
    healthsync: {
      tee: { url: `http://127.0.0.1:${receiverPort}/receiver/stsAgent/intake`, spool_max_bytes: spoolBytes, backoff_max_seconds: 2 },
    },
    butler: {
      file_sd: { files: [targets('butler.json')], refresh_seconds: 1 },
      scrape: { interval_seconds: 1 },
      // Twice the simulated Butlers' cycle: the staleness threshold is 3 of these.
      scheduler_interval_seconds: 2,
      stale_after_seconds: 30,
    },
    sim: {
      collectors: {
        count: 20,
        heartbeat_seconds: 1,
        // A churn event every 10 s, each over in 0.2 s, the collectors in turn: one collector
        // churns every 200 s, so at most 2 changes in CollectorFlapping's window (2 minutes at 30×).
        churn_interval_seconds: 10,
        churn_duration_seconds: 0.2,
        bindplane: { host: '127.0.0.1', port: bindplanePort, agents: 3 },
      },
      connectors: {
        base_port: 0,
        file_sd_path: targets('connectors.json'),
        heartbeat_seconds: 1,
        // Each longer than the probe interval, so the exporter sees every step.
        startup_seconds: 1,
        drain_seconds: 1,
        down_seconds: 1,
        crash_loop_seconds: 1.5,
        churn_interval_seconds: 10,
        discovery_rewrite_seconds: 2,
      },
      healthsync: {
        hosts: 6,
        agent_streams: 2,
        central_streams: 1,
        states_streams: 2,
        increment_partitions: 3,
        repeat_interval_seconds: 1,
        increment_interval_seconds: 1,
        churn: { interval_seconds: 2 },
        receiver: { host: '127.0.0.1', port: receiverPort, exporter_spool_max_bytes: spoolBytes },
      },
      butler: {
        count: 6,
        base_port: 0,
        scheduler_interval_seconds: 1,
        file_sd_path: targets('butler.json'),
        churn: { interval_seconds: 1 },
      },
    },
  };
}
