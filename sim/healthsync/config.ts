/**
 * The `sim.healthsync` section: the simulated health synchronisation sources
 * (all three consistency models), where the healthsync exporter's intake is,
 * how much churn, and the fake StackState receiver the exporter's tee
 * forwards to.
 */
import { z } from 'zod';
import { bool, int, num, port, str, url } from '../../exporters/core/config.js';

export const healthsyncSimSchema = z
  .object({
    enabled: bool().default(true),
    /** The exporter's intake; its operator routes (clear-errors, delete stream) are on the same origin. */
    intake_url: url().default('http://127.0.0.1:9812/receiver/stsAgent/intake'),
    /** Sent as `?api_key=` when the exporter checks keys (healthsync.api_keys). */
    api_key: str().optional(),
    /** REPEAT_SNAPSHOTS streams to which every host reports its own sub stream (the agent's checks). */
    agent_streams: int(0, 100).default(3),
    /** Simulated agent hosts; each sends one payload per cycle with an item for every agent stream. */
    hosts: int(0, 10_000).default(8),
    /** REPEAT_SNAPSHOTS streams of one central source: no sub stream, no expiry, each snapshot over several messages. */
    central_streams: int(0, 100).default(1),
    /** REPEAT_STATES streams: no sub stream, no expiry (the agent's default without a sub stream). */
    states_streams: int(0, 100).default(1),
    /** Sub streams (partitions) of the one TRANSACTIONAL_INCREMENTS stream; 0: no such stream. */
    increment_partitions: int(0, 1000).default(3),
    /** Check states per sub stream (the working set of a TRANSACTIONAL_INCREMENTS partition). */
    check_states: int(1, 10_000).default(10),
    /** At most this many check states per message where a snapshot or state set spans several. */
    check_states_per_message: int(1, 10_000).default(25),
    /** Share of the hosts' sub streams whose snapshots span several messages (start; check states…; stop). */
    multi_message_share: num(0, 1).default(0.25),
    /** How often the REPEAT_* sources resend; declared as `repeat_interval_s` in whole seconds (rounded up, at least 1). */
    repeat_interval_seconds: num(0.05, 1800).default(30),
    /** Expiry of the hosts' sub streams, in repeat intervals (the agent's default is 4). */
    expiry_repeat_intervals: int(3, 1000).default(4),
    /** How often the TRANSACTIONAL_INCREMENTS producer sends an increment per partition. */
    increment_interval_seconds: num(0.05, 86_400).default(10),
    churn: z
      .object({
        /** Average seconds between agent restarts somewhere in the fleet (each away for half a repeat interval); 0: none. */
        interval_seconds: num(0, 86_400).default(20),
        /** Share of check states whose health changes at each resend (Clear ↔ Deviating/Critical). */
        health_change_share: num(0, 1).default(0.05),
      })
      .strict()
      .default({}),
    /** The exporter's healthsync.limits.streams: the limit fault mints this many stream ids and a few more. */
    exporter_stream_limit: int(1).default(100),
    /** A fake StackState receiver; point the exporter's tee.url at http://<advertise_host>:<port>/receiver/stsAgent/intake. */
    receiver: z
      .object({
        enabled: bool().default(true),
        host: str().default('127.0.0.1'),
        port: port().default(9840),
        /** The name the exporter reaches the receiver by: `sim` in docker compose. */
        advertise_host: str().default('127.0.0.1'),
        /** The exporter's healthsync.tee.spool_max_bytes: the spool-filling fault fills spool_fill_share of it. */
        exporter_spool_max_bytes: int(1).default(512 * 1024 * 1024),
        /** Past half and rising fast is what HealthSyncTeeSpoolFilling pages on, well short of the 503s at the bound. */
        spool_fill_share: num(0.51, 0.95).default(0.6),
      })
      .strict()
      .default({}),
  })
  .strict()
  .default({});

export type HealthsyncSimConfig = z.output<typeof healthsyncSimSchema>;
