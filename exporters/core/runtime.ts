/**
 * What an exporter is (a definition with a catalog, a config section and a
 * factory) and how one is run: store opened, state loaded, HTTP server
 * listening, sources started, ready; and the reverse on shutdown.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Family } from './catalog.js';
import type { Clock } from './clock.js';
import { int, listenSchema } from './config.js';
import { TextExposition, type MetricSource } from './exposition.js';
import { createHttpServer } from './http.js';
import type { Logger } from './log.js';
import { OtlpPush, otlpPushWanted } from './otlp-push.js';
import { Rejections, SelfMetrics } from './self-metrics.js';
import { SqliteStore, type Store } from './store.js';
import { VERSION } from './version.js';

/** The part of every exporter's config section that the runtime reads. */
export interface SectionBase {
  listen: { host: string; port: number };
  body_limit_bytes: number;
}

/** An exporter's config section: listen address and body limit, plus its own keys. */
export function sectionSchema<T extends z.ZodRawShape>(defaultPort: number, shape: T) {
  const section = z
    .object({
      listen: listenSchema(defaultPort),
      body_limit_bytes: int(1).default(1024 * 1024),
      ...shape,
    })
    .strict();
  // An absent section means all defaults.
  return z.preprocess((v) => v ?? {}, section);
}

export interface ExporterContext<C> {
  readonly config: C;
  readonly clock: Clock;
  readonly store: Store;
  readonly log: Logger;
  /** Count refused input here (the HTTP error path counts on its own). */
  readonly rejections: Rejections;
  /** The exporter's HTTP server, on its metrics port, for intake routes. */
  readonly http: FastifyInstance;
  readonly env: NodeJS.ProcessEnv;
  /** The data directory, for files an exporter keeps besides its store (e.g. a spool). */
  readonly dataDir: string;
}

export interface ExporterInstance {
  /** The view: the exporter's catalog families, read at scrape and push time. */
  readonly metrics: MetricSource;
  /** Starts the sources; resolves once they are initialised. */
  start(): Promise<void>;
  /** Stops the sources and persists what is pending. */
  stop(): Promise<void>;
}

export interface ExporterDefinition<S extends z.ZodTypeAny = z.ZodTypeAny> {
  readonly name: string;
  readonly description: string;
  readonly catalog: Record<string, Family>;
  readonly configSchema: S;
  /** Loads state from the store and registers routes; sources start later. */
  create(ctx: ExporterContext<z.output<S>>): Promise<ExporterInstance>;
}

export interface RuntimeOptions {
  readonly dataDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** Use this store instead of opening `<dataDir>/<name>.sqlite`. */
  readonly store?: Store;
}

export interface RunningExporter {
  readonly name: string;
  /** Base URL of the metrics server, e.g. http://127.0.0.1:9810. */
  readonly url: string;
  readonly instance: ExporterInstance;
  readonly rejections: Rejections;
  readonly otlp?: OtlpPush;
  stop(): Promise<void>;
}

export async function startExporter<S extends z.ZodTypeAny>(
  def: ExporterDefinition<S>,
  config: z.output<S> & SectionBase,
  opts: RuntimeOptions,
): Promise<RunningExporter> {
  const log = opts.log.child({ exporter: def.name });
  const store = opts.store ?? SqliteStore.open(opts.dataDir, def.name);
  const rejections = new Rejections();
  let ready = false;
  let exposition: TextExposition | undefined;
  const http = createHttpServer({
    log,
    rejections,
    bodyLimitBytes: config.body_limit_bytes,
    clock: opts.clock,
    exposition: () => exposition!,
    isReady: () => ready,
  });

  let instance: ExporterInstance;
  try {
    instance = await def.create({ config, clock: opts.clock, store, log, rejections, http, env: opts.env, dataDir: opts.dataDir });
  } catch (err) {
    await store.close();
    throw err;
  }
  const sources: MetricSource[] = [instance.metrics, new SelfMetrics(def.name, VERSION, rejections)];
  exposition = new TextExposition(sources);

  await http.listen({ host: config.listen.host, port: config.listen.port });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const host = config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;

  await instance.start();
  const otlp = otlpPushWanted(opts.env) ? new OtlpPush(def.name, sources, opts.clock, opts.env) : undefined;
  ready = true;
  log.info({ port, otlp: Boolean(otlp) }, `${def.name} exporter ready`);

  let stopping: Promise<void> | undefined;
  return {
    name: def.name,
    url: `http://${host}:${port}`,
    instance,
    rejections,
    otlp,
    stop: () =>
      (stopping ??= (async () => {
        ready = false;
        await http.close();
        await instance.stop();
        if (otlp) {
          await otlp.flush().catch((err: unknown) => log.warn({ err }, 'last OTLP push failed'));
          await otlp.stop();
        }
        await store.close();
        log.info(`${def.name} exporter stopped`);
      })()),
  };
}
