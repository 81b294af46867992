/**
 * `fleetwatch connectors`: per connector and instance, is it alive, ready,
 * heard from, stopped gracefully or not, reached by the Control Plane, and
 * is there redundancy left. Wires discovery (static, file_sd, DNS) and the
 * prober, and the OTLP receiver, to the model; the model to the store and
 * the view.
 */
import { readSecret } from '../core/config.js';
import { MODEL_TICK_MS, modelTicks, Periodic } from '../core/periodic.js';
import { GroupCommit } from '../core/group-commit.js';
import type { ExporterContext, ExporterDefinition, ExporterInstance } from '../core/runtime.js';
import { connectorsCatalog } from './catalog.js';
import { connectorsConfigSchema, type ConnectorsConfig } from './config.js';
import { ConnectorsModel, type ConnectorTotals, type InstanceRecord, type TelemetryResult } from './model.js';
import type { ConnectorObservation } from './observations.js';
import { Discovery } from './sources/discovery.js';
import { DnsDiscovery } from './sources/dns.js';
import { registerOtlpReceiver } from './sources/otlp/receiver.js';
import { Prober } from './sources/prober.js';
import { parseAddress, type Target } from './targets.js';
import { ConnectorsView } from './view.js';

const INSTANCES = 'instances';
const CONNECTORS = 'connectors';

export interface ConnectorsExporter extends ExporterInstance {
  readonly model: ConnectorsModel;
  readonly discovery: Discovery;
  /** One probe round: re-resolve DNS, probe every instance, apply, persist. Shares a round in flight. */
  probeRound(): Promise<void>;
  /** Applies the passing of time now; the exporter also does this every second. */
  tick(): Promise<void>;
}

async function create(ctx: ExporterContext<ConnectorsConfig>): Promise<ConnectorsExporter> {
  const { config, clock, store, log } = ctx;
  const model = new ConnectorsModel(
    {
      probeIntervalMs: config.probe.interval_seconds * 1000,
      otlpHeartbeatIntervalMs: config.heartbeat.otlp_interval_seconds * 1000,
      heartbeatTolerance: config.heartbeat.tolerance,
      gracePeriodMs: config.grace_period_seconds * 1000,
      otlpForgetAfterMs: config.otlp.forget_after_seconds * 1000,
      otlpMaxInstances: config.otlp.max_instances,
      defaultConnector: config.otlp.default_connector,
    },
    clock.now(),
  );
  model.restore(
    (await store.load<InstanceRecord>(INSTANCES)).map(([, r]) => r),
    (await store.load<ConnectorTotals>(CONNECTORS)).map(([, t]) => t),
  );
  log.info({ instances: model.size }, 'connector state loaded');

  const persist = () => {
    const { instances, connectors } = model.takeChanges();
    return store.commit([
      ...instances.map(([key, value]) => ({ collection: INSTANCES, key, value })),
      ...connectors.map(([key, value]) => ({ collection: CONNECTORS, key, value })),
    ]);
  };
  // Requests arriving together share one transaction; each is answered once it is durable.
  const commits = new GroupCommit(persist);
  const ingest = async (observations: ConnectorObservation[]): Promise<TelemetryResult[]> => {
    const results = observations.map((obs) => model.apply(obs));
    await commits.request();
    return results;
  };
  const persistLater = () => void commits.request().catch((err: unknown) => log.error({ err }, 'cannot persist connector state'));

  const defaultPort = config.probe.port;
  const staticTargets: Target[] = config.static.flatMap((s) =>
    s.targets.map((t) => ({ connector: s.connector, address: parseAddress(t, defaultPort).address, source: 'static' as const })),
  );
  const dns =
    config.dns.names.length > 0
      ? new DnsDiscovery({
          names: config.dns.names.map((n) => ({ name: n.name, connector: n.connector, port: n.port ?? defaultPort })),
          servers: config.dns.servers,
          timeoutMs: config.dns.timeout_seconds * 1000,
        })
      : undefined;
  const discovery = new Discovery({
    static: staticTargets,
    fileSd: { files: config.file_sd.files, connectorLabel: config.file_sd.connector_label, refreshMs: config.file_sd.refresh_seconds * 1000 },
    dns,
    defaultPort,
  });
  discovery.on('targets', (targets) => {
    model.apply({ kind: 'targets', at: clock.now(), targets });
    persistLater();
  });
  discovery.on('failure', (source, message) => {
    log.warn({ source }, `discovery failed, keeping the last good targets: ${message}`);
    if (source === 'file_sd') ctx.rejections.count('invalid_discovery_file');
    model.apply({ kind: 'discovery_failed', at: clock.now(), source });
  });

  if (config.otlp.enabled) {
    registerOtlpReceiver(ctx.http, {
      bodyLimitBytes: config.otlp.body_limit_bytes,
      maxDataPoints: config.otlp.max_data_points,
      token: readSecret(config.otlp.token, config.otlp.token_file, 'connectors.otlp.token'),
      rejections: ctx.rejections,
      log: log.child({ source: 'otlp' }),
      ingest: (telemetry) => ingest(telemetry.map((t) => ({ kind: 'telemetry', at: clock.now(), telemetry: t }))),
    });
  }

  const prober = new Prober({
    timeoutMs: config.probe.timeout_seconds * 1000,
    concurrency: config.probe.concurrency,
    healthPath: config.probe.health_path,
    readyPath: config.probe.ready_path,
  });
  // Rounds never overlap: one due while another runs is skipped.
  const rounds = new Periodic(
    'probe round',
    async () => {
      model.apply({ kind: 'round_started', at: clock.now() });
      await discovery.refreshDns();
      await prober.round(model.probeTargets(), (key, health, ready) => model.apply({ kind: 'probe', at: clock.now(), key, health, ready }));
      model.apply({ kind: 'round_completed', at: clock.now() });
      model.tick(clock.now());
      await commits.request();
    },
    log,
  );
  const ticks = modelTicks(() => model.tick(clock.now()), () => commits.request(), log);

  return {
    model,
    discovery,
    probeRound: () => rounds.runNow(),
    tick: () => ticks.runNow(),
    metrics: new ConnectorsView(model),
    async start() {
      await discovery.start();
      rounds.start(config.probe.interval_seconds * 1000, true);
      ticks.start(MODEL_TICK_MS);
    },
    async stop() {
      await rounds.stop();
      await ticks.stop();
      discovery.stop();
      await persist();
    },
  };
}

export const connectorsExporter: ExporterDefinition<typeof connectorsConfigSchema> = {
  name: 'connectors',
  description: 'Connector liveness, readiness, heartbeats, lifecycle and redundancy, from probes and OTLP',
  catalog: connectorsCatalog,
  configSchema: connectorsConfigSchema,
  create,
};
