/**
 * `fleetwatch butler`: the phase metrics of Butler's design note (remote,
 * mustache, render, write, reload, last known good), derived from scraping
 * each Butler's own /metrics and, optionally, from its log. Wires discovery,
 * the scraper and the log sources to the model, the model to the store and
 * the view.
 */
import { readSecret } from '../core/config.js';
import { Periodic } from '../core/periodic.js';
import type { ExporterContext, ExporterDefinition, ExporterInstance } from '../core/runtime.js';
import type { StoreChange } from '../core/store.js';
import { butlerCatalog } from './catalog.js';
import { butlerConfigSchema, type ButlerConfig } from './config.js';
import { ButlerModel, COLLECTIONS, type ButlerRecord } from './model.js';
import type { ButlerObservation } from './observations.js';
import { LogFollower, type LogPosition } from './sources/log-follower.js';
import { registerLogIntake } from './sources/log-intake.js';
import { Scraper } from './sources/scraper.js';
import { TargetDiscovery, type Target } from './sources/targets.js';
import { ButlerView } from './view.js';

const LOG_POSITIONS = 'log_positions';

export interface ButlerExporter extends ExporterInstance {
  readonly model: ButlerModel;
  /** One scrape of every target now, then the grace period applied; the exporter also does this every interval. */
  scrapeAll(): Promise<void>;
  /** Reads the followed log files now; the exporter also does this every poll interval. */
  pollLogs(): Promise<void>;
  /** Re-reads the file_sd files now. */
  refreshTargets(): Promise<void>;
  /** Drops what has been gone longer than the grace period. */
  tick(): Promise<void>;
}

async function create(ctx: ExporterContext<ButlerConfig>): Promise<ButlerExporter> {
  const { config, clock, store, log, rejections } = ctx;
  const model = new ButlerModel({
    staleAfterMs: config.stale_after_seconds * 1000,
    timeoutOk: (manager) => config.managers[manager]?.manager_timeout_ok ?? false,
  });
  for (const collection of COLLECTIONS) model.restore(collection, (await store.load<ButlerRecord>(collection)).map(([, r]) => r));
  const positions = new Map(await store.load<LogPosition>(LOG_POSITIONS));

  const persist = (extra: StoreChange[] = []) => store.commit([...model.takeChanges(), ...extra]);
  const ingest = async (observations: ButlerObservation[], extra: StoreChange[] = []): Promise<number> => {
    let applied = 0;
    for (const obs of observations) if (model.apply(obs)) applied++;
    await persist(extra);
    return applied;
  };
  const tick = async () => {
    model.tick(clock.now());
    await persist();
  };

  const scraper = new Scraper({
    timeoutMs: config.scrape.timeout_seconds * 1000,
    maxBodyBytes: config.scrape.max_body_bytes,
    concurrency: config.scrape.concurrency,
    clock,
    log: log.child({ source: 'scrape' }),
    rejections,
    ingest: async (obs) => void (await ingest([obs])),
  });

  // Discovery reports synchronously; the model hears of each list in order.
  // A failed commit is logged, not left in the chain: the next list must still
  // be recorded (the store writes the failed changes with the next commit).
  let targetsRecorded = Promise.resolve();
  const recordTargets = async (instances: string[]) => {
    try {
      await ingest([{ kind: 'targets', at: clock.now(), instances }]);
    } catch (err) {
      log.error({ err }, 'could not commit the discovered targets; they are kept for the next commit');
    }
  };
  const discovery = new TargetDiscovery({
    static: config.targets,
    fileSdFiles: config.file_sd.files,
    refreshMs: config.file_sd.refresh_seconds * 1000,
    onChange: (targets: Target[]) => {
      scraper.setTargets(targets);
      const instances = targets.map((t) => t.instance);
      targetsRecorded = targetsRecorded.then(() => recordTargets(instances));
    },
    onInvalid: (message) => {
      rejections.count('invalid_file_sd');
      log.warn({ err: message }, 'file_sd entry not used; its last good targets stay');
    },
  });

  const follower =
    config.logs.files.length > 0
      ? new LogFollower({
          files: config.logs.files,
          positions,
          clock,
          log: log.child({ source: 'log' }),
          rejections,
          ingest: async (observations, path, position) => void (await ingest(observations, [{ collection: LOG_POSITIONS, key: path, value: position }])),
        })
      : undefined;

  if (config.logs.http.enabled) {
    registerLogIntake(ctx.http, {
      token: readSecret(config.logs.http.token, config.logs.http.token_file, 'butler.logs.http.token'),
      clock,
      knows: (instance) => model.knows(instance),
      ingest: (observations) => ingest(observations),
    });
  }

  // A round scrapes every target, then lets time pass in the model.
  const rounds = new Periodic(
    'scrape round',
    async () => {
      await scraper.scrapeAll();
      await tick();
    },
    log,
  );
  const scrapeAll = () => rounds.runNow();

  return {
    model,
    metrics: new ButlerView(model, { schedulerIntervalSeconds: config.scheduler_interval_seconds, retrieveIntervalSeconds: config.retrieve_interval_seconds }),
    scrapeAll,
    pollLogs: async () => follower?.poll(),
    refreshTargets: async () => {
      await discovery.refresh();
      await targetsRecorded;
    },
    tick,
    async start() {
      await discovery.start();
      await targetsRecorded;
      for (const file of config.logs.files) {
        if (!model.knows(file.instance)) log.warn({ path: file.path, instance: file.instance }, 'logs.files names an instance no target has; its lines are ignored until one does');
      }
      await scrapeAll();
      await follower?.poll();
      rounds.start(config.scrape.interval_seconds * 1000);
      follower?.start(config.logs.poll_interval_seconds * 1000);
    },
    async stop() {
      discovery.stop();
      await rounds.stop();
      await follower?.stop();
      await targetsRecorded;
      await persist();
    },
  };
}

export const butlerExporter: ExporterDefinition<typeof butlerConfigSchema> = {
  name: 'butler',
  description: "Adobe Butler's config-reload phases (remote, render, write, reload, last known good), from its /metrics and log",
  catalog: butlerCatalog,
  configSchema: butlerConfigSchema,
  create,
};
