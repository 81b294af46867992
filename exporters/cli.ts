#!/usr/bin/env node
/**
 * `fleetwatch <command> [--config FILE] [--set key=value]…`: runs exporters,
 * the fleet simulator or the local pager, and talks to a running simulator.
 */
import { parseArgs } from 'node:util';
import { LocalPager } from '../sim/pager/pager.js';
import { runSimulator } from '../sim/index.js';
import { systemClock } from './core/clock.js';
import { ConfigError, loadConfig } from './core/config.js';
import { createLogger, type Logger } from './core/log.js';
import { startExporter, type SectionBase } from './core/runtime.js';
import { VERSION } from './core/version.js';
import { rootConfigSchema, type RootConfig } from './config.js';
import { EXPORTERS } from './registry.js';

const USAGE = `fleetwatch ${VERSION}

usage: fleetwatch <command> [--config FILE] [--set key.path=value]...

commands:
${EXPORTERS.map((e) => `  ${e.name.padEnd(12)}${e.description}`).join('\n')}
  all         every exporter above, in one process (each on its own port)
  sim         the fleet simulator: simulated collectors, connectors, health-sync sources and Butlers
  pager       the local pager: a stand-in for PagerDuty (Events API v2) and a ticket webhook
  fault       talk to a running simulator: fault list | fault inject NAME | fault clear NAME
  check       validate the configuration and exit

options:
  --config FILE   YAML config file; repeat to lay overlays over a base (default: the
                  comma-separated files in $FLEETWATCH_CONFIG, else none)
  --set k.p=v     override one key, e.g. --set collectors.listen.port=9910
  --sim URL       the simulator's control API for "fault" (default: $FLEETWATCH_SIM_URL, else http://127.0.0.1:9820)
  --help          this text

Environment: FLEETWATCH_<SECTION>__<KEY>=value overrides a key, e.g.
FLEETWATCH_COLLECTORS__OPAMP__LISTEN__PORT=4321. OTEL_EXPORTER_OTLP_ENDPOINT
turns on OTLP push.`;

/** Something running that a signal should stop. */
type Stoppable = { stop(): Promise<void> };

function stopOnSignals(running: Stoppable[], log: Logger): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      log.info({ signal }, 'shutting down');
      void Promise.allSettled(running.map((r) => r.stop())).then(() => process.exit(0));
    });
  }
}

async function fault(args: string[], simUrl: string): Promise<number> {
  const [action, name] = args;
  if (action === 'list') {
    const body = (await (await fetch(`${simUrl}/faults`)).json()) as { faults: Array<{ name: string; domain: string; alerts: string[]; description: string; active: unknown[] }> };
    for (const f of body.faults) console.log(`${f.active.length > 0 ? '*' : ' '} ${f.name.padEnd(34)} ${f.domain.padEnd(11)} → ${f.alerts.join(', ')}\n    ${f.description}`);
    return 0;
  }
  if ((action === 'inject' || action === 'clear') && name) {
    const response = await fetch(`${simUrl}/faults/${encodeURIComponent(name)}`, { method: action === 'inject' ? 'POST' : 'DELETE' });
    const text = await response.text();
    if (!response.ok) {
      console.error(`fleetwatch: ${action} ${name}: ${response.status} ${text}`);
      return 1;
    }
    console.log(action === 'inject' ? `injected: ${text}` : `cleared ${name}`);
    return 0;
  }
  console.error('usage: fleetwatch fault list | fault inject NAME | fault clear NAME');
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', multiple: true }, set: { type: 'string', multiple: true }, sim: { type: 'string' }, help: { type: 'boolean' } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command === 'fault') return fault(positionals.slice(1), values.sim ?? process.env.FLEETWATCH_SIM_URL ?? 'http://127.0.0.1:9820');

  const exporters = command === 'all' || command === 'check' ? EXPORTERS : EXPORTERS.filter((e) => e.name === command);
  if (exporters.length === 0 && command !== 'sim' && command !== 'pager') {
    console.error(`fleetwatch: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }

  let config: RootConfig;
  try {
    const files = values.config ?? (process.env.FLEETWATCH_CONFIG ?? '').split(',').filter(Boolean);
    config = loadConfig(rootConfigSchema, { files, env: process.env, sets: values.set ?? [] }) as RootConfig;
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
  if (command === 'sim' && !config.sim.enabled) {
    log.info('the simulator is off in this configuration (sim.enabled: false)');
    return 0;
  }
  const running: Stoppable[] = [];
  stopOnSignals(running, log);
  try {
    if (command === 'sim') running.push(await runSimulator(config.sim, log));
    else if (command === 'pager') {
      const pager = new LocalPager(systemClock, log.child({ component: 'pager' }));
      await pager.app.listen({ host: config.pager.listen.host, port: config.pager.listen.port });
      log.info({ port: config.pager.listen.port }, 'local pager ready');
      running.push({ stop: () => pager.app.close() });
    } else {
      for (const def of exporters) {
        const section = config[def.name] as SectionBase;
        running.push(await startExporter(def, section, { dataDir: config.data_dir, clock: systemClock, log, env: process.env }));
      }
    }
  } catch (err) {
    log.error({ err }, 'start-up failed');
    await Promise.allSettled(running.map((r) => r.stop()));
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
