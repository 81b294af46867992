/**
 * `fleetwatch healthsync`: how fresh StackState health synchronisation is,
 * per stream and sub stream, and which consistency errors occur. Wires the
 * receiver-compatible intake and the operator routes to the model, the
 * model to the store and the view, and, in tee mode, the intake to the
 * spool and the spool to the upstream receiver.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_TICK_MS, modelTicks } from '../core/periodic.js';
import { ConfigError, readSecret } from '../core/config.js';
import type { ExporterContext, ExporterDefinition, ExporterInstance } from '../core/runtime.js';
import { healthsyncCatalog } from './catalog.js';
import { healthsyncConfigSchema, type HealthsyncConfig } from './config.js';
import { HealthModel } from './model.js';
import type { HealthMessage, HealthsyncObservation } from './observations.js';
import { registerIntakeRoutes, type IntakeOutcome } from './sources/intake.js';
import { registerOperatorRoutes } from './sources/operator.js';
import { COLLECTIONS } from './state.js';
import { TeeForwarder } from './tee/forwarder.js';
import { Spool } from './tee/spool.js';
import { HealthsyncView, type TeeParts } from './view.js';

const SPOOL_FILE = 'healthsync-tee.sqlite';

export interface HealthsyncExporter extends ExporterInstance {
  readonly model: HealthModel;
  readonly tee?: TeeParts;
  /** Applies the passing of time now; the exporter also does this every second. */
  tick(): Promise<void>;
}

function apiKeys(config: HealthsyncConfig): string[] {
  const keys = [...config.api_keys];
  if (config.api_keys_file) {
    try {
      keys.push(...readFileSync(config.api_keys_file, 'utf8').split('\n').map((k) => k.trim()).filter(Boolean));
    } catch (err) {
      throw new ConfigError(`healthsync.api_keys_file: cannot read ${config.api_keys_file}: ${(err as Error).message}`);
    }
  }
  return keys;
}

function openTee(ctx: ExporterContext<HealthsyncConfig>): TeeParts | undefined {
  const { tee } = ctx.config;
  if (!tee.url) return undefined;
  const spool = new Spool(tee.spool_file ?? join(ctx.dataDir, SPOOL_FILE), tee.spool_max_bytes);
  const forwarder = new TeeForwarder({
    spool,
    url: tee.url,
    apiKey: readSecret(tee.api_key, tee.api_key_file, 'healthsync.tee.api_key'),
    timeoutMs: tee.timeout_seconds * 1000,
    backoffInitialMs: tee.backoff_initial_seconds * 1000,
    backoffMaxMs: tee.backoff_max_seconds * 1000,
    clock: ctx.clock,
    log: ctx.log.child({ part: 'tee' }),
  });
  return { spool, forwarder };
}

async function create(ctx: ExporterContext<HealthsyncConfig>): Promise<HealthsyncExporter> {
  const { config, clock, store, log } = ctx;
  const keys = apiKeys(config);
  // The open default keeps key-less agents working; say loudly what it exposes.
  if (keys.length === 0) {
    log.warn(
      { listen: config.listen },
      'no api_keys configured: anyone who can reach this port can send health data, clear errors and delete streams; set healthsync.api_keys or api_keys_file',
    );
  }
  const model = new HealthModel(
    {
      lateTolerance: config.late_tolerance,
      forgetUnknownAfterMs: config.forget_unknown_substreams_after_seconds * 1000,
      maxStreams: config.limits.streams,
      maxSubStreams: config.limits.substreams,
      maxCheckStates: config.limits.check_states,
    },
    clock.now(),
  );
  model.restore({
    streams: await store.load(COLLECTIONS.streams),
    subStreams: await store.load(COLLECTIONS.subStreams),
    checkStates: await store.load(COLLECTIONS.checkStates),
    snapshotStates: await store.load(COLLECTIONS.snapshotStates),
    refusedStates: await store.load(COLLECTIONS.refusedStates),
  });
  log.info({ streams: [...model.streams()].length, subStreams: model.subStreamTotal }, 'health sync state loaded');

  const tee = openTee(ctx);
  const persist = () => store.commit(model.takeChanges());

  // The spool append comes first: a crash before the model commit can only
  // make upstream see the payload twice, never lose it.
  const accept = async (messages: HealthMessage[], body: Buffer): Promise<IntakeOutcome> => {
    if (tee && !tee.spool.hasRoomFor(body.length)) return 'spool_full';
    tee?.spool.append(body, clock.now());
    for (const message of messages) model.apply(message);
    await persist();
    tee?.forwarder.wake();
    return 'accepted';
  };
  const ingest = async (obs: HealthsyncObservation) => {
    const result = model.apply(obs);
    await persist();
    return result;
  };

  registerIntakeRoutes(ctx.http, { apiKeys: keys, clock, log: log.child({ source: 'intake' }), rejections: ctx.rejections, accept });
  registerOperatorRoutes(ctx.http, { apiKeys: keys, clock, ingest });

  const ticks = modelTicks(() => model.tick(clock.now()), () => persist(), log);

  return {
    model,
    tee,
    metrics: new HealthsyncView(model, tee),
    tick: () => ticks.runNow(),
    async start() {
      tee?.forwarder.start();
      ticks.start(MODEL_TICK_MS);
    },
    async stop() {
      await ticks.stop();
      await tee?.forwarder.stop();
      await persist();
      tee?.spool.close();
    },
  };
}

export const healthsyncExporter: ExporterDefinition<typeof healthsyncConfigSchema> = {
  name: 'healthsync',
  description: 'StackState health sync freshness and consistency errors, from a receiver-compatible intake',
  catalog: healthsyncCatalog,
  configSchema: healthsyncConfigSchema,
  create,
};
