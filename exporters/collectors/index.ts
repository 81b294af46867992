/**
 * `fleetwatch collectors`: which OpenTelemetry collectors are Connected,
 * Disconnected, Error, Configuring, Pending, Incompatible or Upgrading, and
 * since when. Wires the sources (OpAMP server, Bindplane poller, event API)
 * to the model, the model to the store and the view.
 */
import { readSecret } from '../core/config.js';
import { GroupCommit } from '../core/group-commit.js';
import { MODEL_TICK_MS, modelTicks } from '../core/periodic.js';
import type { ExporterContext, ExporterDefinition, ExporterInstance } from '../core/runtime.js';
import { collectorsCatalog } from './catalog.js';
import { collectorsConfigSchema, DEFAULT_BINDPLANE_STATUS_MAP, type CollectorsConfig } from './config.js';
import { FleetModel, type ApplyResult, type CollectorRecord } from './model.js';
import type { CollectorObservation, SourceName } from './observations.js';
import { BindplanePoller } from './sources/bindplane.js';
import { registerEventRoutes } from './sources/events.js';
import { OpampServer } from './sources/opamp/server.js';
import type { CollectorState } from './states.js';
import { CollectorsView } from './view.js';

const COLLECTION = 'collectors';

export interface CollectorsExporter extends ExporterInstance {
  readonly model: FleetModel;
  /** The OpAMP server's port once started (0 if disabled). */
  readonly opampPort: number;
  readonly bindplane?: BindplanePoller;
  /** Applies the passing of time now; the exporter also does this every second. */
  tick(): Promise<void>;
}

async function create(ctx: ExporterContext<CollectorsConfig>): Promise<CollectorsExporter> {
  const { config, clock, store, log } = ctx;
  const model = new FleetModel(
    { disconnectAfterMs: config.disconnect_after_seconds * 1000, forgetAfterMs: config.forget_disconnected_after_seconds * 1000 },
    clock.now(),
  );
  model.restore((await store.load<CollectorRecord>(COLLECTION)).map(([, r]) => r));
  log.info({ collectors: model.size }, 'collector state loaded');

  const persist = () => store.commit(model.takeChanges().map(([key, value]) => ({ collection: COLLECTION, key, value })));
  const commits = new GroupCommit(persist);
  const ingestOne = async (obs: CollectorObservation): Promise<ApplyResult> => {
    const result = model.apply(obs);
    await commits.request();
    return result;
  };
  const ingestMany = async (observations: CollectorObservation[]): Promise<void> => {
    for (const obs of observations) model.apply(obs);
    await commits.request();
  };

  const enabled: SourceName[] = [];
  const opamp = config.opamp.enabled
    ? new OpampServer({
        host: config.opamp.listen.host,
        port: config.opamp.listen.port,
        path: config.opamp.path,
        bodyLimitBytes: config.opamp.body_limit_bytes,
        clock,
        log: log.child({ source: 'opamp' }),
        rejections: ctx.rejections,
        ingest: ingestOne,
      })
    : undefined;
  if (opamp) enabled.push('opamp');

  let bindplane: BindplanePoller | undefined;
  if (config.bindplane.enabled) {
    const statusMap = new Map<number, CollectorState>(
      Object.entries({ ...DEFAULT_BINDPLANE_STATUS_MAP, ...config.bindplane.status_map }).map(([code, state]) => [Number(code), state]),
    );
    bindplane = new BindplanePoller({
      url: config.bindplane.url!,
      apiKey: readSecret(config.bindplane.api_key, config.bindplane.api_key_file, 'collectors.bindplane.api_key'),
      intervalMs: config.bindplane.interval_seconds * 1000,
      timeoutMs: config.bindplane.timeout_seconds * 1000,
      pageSize: config.bindplane.page_size,
      statusMap,
      clock,
      log: log.child({ source: 'bindplane' }),
      ingest: ingestMany,
    });
    enabled.push('bindplane');
  }

  if (config.events.enabled) {
    registerEventRoutes(ctx.http, { token: readSecret(config.events.token, config.events.token_file, 'collectors.events.token'), clock, ingest: ingestMany });
    enabled.push('events');
  }

  const ticks = modelTicks(() => model.tick(clock.now()), () => commits.request(), log);
  let opampPort = 0;

  return {
    model,
    bindplane,
    get opampPort() {
      return opampPort;
    },
    metrics: new CollectorsView(model, config.per_collector_series, enabled),
    tick: () => ticks.runNow(),
    async start() {
      if (opamp) opampPort = await opamp.start();
      if (config.events.enabled) await ingestMany([{ kind: 'source_status', source: 'events', up: true, at: clock.now() }]);
      bindplane?.start();
      ticks.start(MODEL_TICK_MS);
    },
    async stop() {
      await ticks.stop();
      await opamp?.stop();
      await bindplane?.stop();
      await persist();
    },
  };
}

export const collectorsExporter: ExporterDefinition<typeof collectorsConfigSchema> = {
  name: 'collectors',
  description: 'OpenTelemetry collector connection states, from OpAMP, Bindplane and rollout events',
  catalog: collectorsCatalog,
  configSchema: collectorsConfigSchema,
  create,
};
