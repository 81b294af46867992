#!/usr/bin/env node
/**
 * `fleetwatch <collectors|connectors|healthsync|butler|all> [--config FILE] [--set key=value]…`
 */
import { parseArgs } from 'node:util';
import { systemClock } from './core/clock.js';
import { ConfigError, loadConfig } from './core/config.js';
import { createLogger } from './core/log.js';
import { startExporter, type RunningExporter, type SectionBase } from './core/runtime.js';
import { VERSION } from './core/version.js';
import { rootConfigSchema, type RootConfig } from './config.js';
import { EXPORTERS } from './registry.js';

const USAGE = `fleetwatch ${VERSION}

usage: fleetwatch <command> [--config FILE] [--set key.path=value]...

commands:
${EXPORTERS.map((e) => `  ${e.name.padEnd(12)}${e.description}`).join('\n')}
  all         every exporter above, in one process (each on its own port)
  check       validate the configuration and exit

options:
  --config FILE   YAML config file (default: $FLEETWATCH_CONFIG, else none)
  --set k.p=v     override one key, e.g. --set collectors.listen.port=9910
  --help          this text

Environment: FLEETWATCH_<SECTION>__<KEY>=value overrides a key, e.g.
FLEETWATCH_COLLECTORS__OPAMP__LISTEN__PORT=4321. OTEL_EXPORTER_OTLP_ENDPOINT
turns on OTLP push.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string' }, set: { type: 'string', multiple: true }, help: { type: 'boolean' } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const chosen = command === 'all' || command === 'check' ? EXPORTERS : EXPORTERS.filter((e) => e.name === command);
  if (chosen.length === 0) {
    console.error(`fleetwatch: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }

  let config: RootConfig;
  try {
    config = loadConfig(rootConfigSchema, { file: values.config ?? process.env.FLEETWATCH_CONFIG, env: process.env, sets: values.set ?? [] }) as RootConfig;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`fleetwatch: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (command === 'check') {
    console.log('configuration is valid');
    return 0;
  }

  const log = createLogger(config.log_level);
  const running: RunningExporter[] = [];
  const stopAll = async () => {
    await Promise.allSettled(running.map((r) => r.stop()));
  };
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      log.info({ signal }, 'shutting down');
      void stopAll().then(() => process.exit(0));
    });
  }
  try {
    for (const def of chosen) {
      const section = config[def.name] as SectionBase;
      running.push(await startExporter(def, section, { dataDir: config.data_dir, clock: systemClock, log, env: process.env }));
    }
  } catch (err) {
    log.error({ err }, 'start-up failed');
    await stopAll();
    return 1;
  }
  return -1; // keep running until a signal
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
