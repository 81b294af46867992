/**
 * The compose stack without Docker: the same config files (stack/), read at
 * start and pointed at 127.0.0.1, run with Debian's prometheus and
 * prometheus-alertmanager and fleetwatch's own processes. `npm run stack`
 * runs it as compose does; the end-to-end test runs it on short intervals.
 * The OpenTelemetry Collector and Grafana have no Debian package and are not
 * run; the simulator sends OTLP straight to the connectors exporter.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { requireBinary } from '../test/support/binaries.js';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The compose services that run here, and their ports (compose's by default). */
export interface Ports {
  collectors: number;
  opamp: number;
  connectors: number;
  healthsync: number;
  butler: number;
  sim: number;
  pager: number;
  prometheus: number;
  alertmanager: number;
}

export const COMPOSE_PORTS: Ports = { collectors: 9810, opamp: 4320, connectors: 9811, healthsync: 9812, butler: 9813, sim: 9820, pager: 9099, prometheus: 9090, alertmanager: 9093 };

/** Compose service names that run here; a config naming one of them is pointed at 127.0.0.1. */
const LOCAL_SERVICES = ['collectors', 'connectors', 'healthsync', 'butler', 'sim', 'pager', 'prometheus', 'alertmanager'];
/** Services compose runs that have no Debian package: their scrape jobs are left out. */
const NOT_RUN_HERE = ['otel-collector'];
/** What is sent to them here goes to the service they forward it to: OTLP/HTTP, same /v1/metrics path. */
const STAND_INS: Record<string, keyof Ports> = { 'otel-collector:4318': 'connectors' };

export interface LocalStackOptions {
  /** Working directory: derived configs, data, logs. */
  dir: string;
  ports: Ports;
  /** Extra fleetwatch config overlays, laid over the stack's own. */
  overlays?: string[];
  /** The rule file Prometheus loads (default: alerts/generated/fleetwatch.rules.yml). */
  ruleFile?: string;
  /** Prometheus scrape and evaluation interval (default: stack/prometheus's). */
  prometheusInterval?: string;
  /** An Alertmanager config to use instead of stack/alertmanager's (default: start.sh chooses, as in compose). */
  alertmanagerConfig?: string;
  /** Run each exporter in its own process (so one can be stopped), or all in one. */
  separateExporters?: boolean;
  /** Do not start the local pager (the caller runs its own on ports.pager). */
  externalPager?: boolean;
}

export interface LocalProcess {
  name: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface LocalStack {
  urls: Record<string, string>;
  processes: Map<string, LocalProcess>;
  /** Starts a stopped process again (an exporter after an outage). */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

const local = (port: number) => `127.0.0.1:${port}`;

/** host:port here of a compose service's port: a service's main port as configured, any other as in compose. */
function localAddress(service: string, composePort: number, ports: Ports): string {
  if (service === 'collectors' && composePort === COMPOSE_PORTS.opamp) return local(ports.opamp);
  const main = service as keyof Ports;
  return local(COMPOSE_PORTS[main] === composePort ? ports[main] : composePort);
}

/** Rewrites compose service addresses (and a `…host` key naming one) and container paths in a config tree. */
function pointAtLocal(node: unknown, ports: Ports, dir: string, key = ''): unknown {
  if (Array.isArray(node)) return node.map((n) => pointAtLocal(n, ports, dir));
  if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, pointAtLocal(v, ports, dir, k)]));
  if (typeof node !== 'string') return node;
  // Here everything stays on loopback.
  if (key.endsWith('host') && (LOCAL_SERVICES.includes(node) || node === '0.0.0.0')) return '127.0.0.1';
  return node
    .replace(new RegExp(Object.keys(STAND_INS).join('|'), 'g'), (address) => local(ports[STAND_INS[address]!]))
    .replace(new RegExp(`\\b(${LOCAL_SERVICES.join('|')}):(\\d+)`, 'g'), (_all, service: string, port: string) => localAddress(service, Number(port), ports))
    .replace('/var/lib/fleetwatch/', `${dir}/`)
    .replace('/etc/fleetwatch/', join(ROOT, 'stack/fleetwatch/') + '/')
    .replace('/etc/alertmanager/', join(dir, 'alertmanager') + '/');
}

function writeYaml(path: string, data: unknown): string {
  writeFileSync(path, stringify(data, { lineWidth: 0 }));
  return path;
}

function readYaml(path: string): unknown {
  return parse(readFileSync(join(ROOT, path), 'utf8'), { merge: true });
}

/** stack/fleetwatch's files, pointed here, plus where each process listens. */
function fleetwatchConfigs(opts: LocalStackOptions): string[] {
  const { dir, ports } = opts;
  const base = writeYaml(join(dir, 'fleetwatch.yml'), pointAtLocal(readYaml('stack/fleetwatch/fleetwatch.yml'), ports, dir));
  const sim = writeYaml(join(dir, 'sim.yml'), pointAtLocal(readYaml('stack/fleetwatch/sim.yml'), ports, dir));
  const listen = (port: number) => ({ host: '127.0.0.1', port });
  const here = writeYaml(join(dir, 'local.yml'), {
    data_dir: join(dir, 'data'),
    collectors: { listen: listen(ports.collectors), opamp: { listen: listen(ports.opamp) } },
    connectors: { listen: listen(ports.connectors) },
    healthsync: { listen: listen(ports.healthsync) },
    butler: { listen: listen(ports.butler) },
    sim: { control: listen(ports.sim) },
    pager: { listen: listen(ports.pager) },
  });
  return [base, sim, here, ...(opts.overlays ?? [])];
}

function prometheusConfig(opts: LocalStackOptions): string {
  const config = readYaml('stack/prometheus/prometheus.yml') as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
  };
  if (opts.prometheusInterval) config.global = { scrape_interval: opts.prometheusInterval, evaluation_interval: opts.prometheusInterval };
  config.rule_files = [opts.ruleFile ?? join(ROOT, 'alerts/generated/fleetwatch.rules.yml')];
  config.scrape_configs = config.scrape_configs.filter((job) => !job.static_configs.some((s) => s.targets.some((t) => NOT_RUN_HERE.some((h) => t.startsWith(`${h}:`)))));
  return writeYaml(join(opts.dir, 'prometheus.yml'), pointAtLocal(config, opts.ports, opts.dir));
}

/** stack/alertmanager's two configs pointed here, for start.sh to choose from. */
function alertmanagerConfigDir(opts: LocalStackOptions): string {
  const dir = join(opts.dir, 'alertmanager');
  mkdirSync(dir, { recursive: true });
  for (const file of ['alertmanager.yml', 'alertmanager.local-pager.yml']) writeYaml(join(dir, file), pointAtLocal(readYaml(`stack/alertmanager/${file}`), opts.ports, opts.dir));
  writeFileSync(join(dir, 'local-pager-routing-key'), readFileSync(join(ROOT, 'stack/alertmanager/local-pager-routing-key')));
  return dir;
}

async function waitReady(url: string, child: ChildProcess, name: string, log: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${log}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready at ${url} in ${timeoutMs / 1000} s; see ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  readyUrl: string;
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const { dir, ports } = opts;
  for (const sub of ['data', 'logs', 'sim-targets', 'prometheus', 'alertmanager-data']) mkdirSync(join(dir, sub), { recursive: true });
  const fleetwatchEnv = { FLEETWATCH_CONFIG: fleetwatchConfigs(opts).join(',') };
  const fleetwatch = (name: string, command: string[], readyUrl: string): ProcessSpec => ({ name, command: process.execPath, args: ['--import', 'tsx', join(ROOT, 'exporters/cli.ts'), ...command], env: fleetwatchEnv, readyUrl });

  const exporters = opts.separateExporters
    ? (['collectors', 'connectors', 'healthsync', 'butler'] as const).map((e) => fleetwatch(e, [e], `http://${local(ports[e])}/readyz`))
    : [fleetwatch('exporters', ['all'], `http://${local(ports.butler)}/readyz`)];
  const amConfigDir = opts.alertmanagerConfig ? undefined : alertmanagerConfigDir(opts);
  const amArgs = [`--storage.path=${join(dir, 'alertmanager-data')}`, `--web.listen-address=${local(ports.alertmanager)}`, '--cluster.listen-address=', '--log.level=warn'];
  const specs: ProcessSpec[] = [
    ...(opts.externalPager ? [] : [fleetwatch('pager', ['pager'], `http://${local(ports.pager)}/healthz`)]),
    opts.alertmanagerConfig
      ? { name: 'alertmanager', command: requireBinary('alertmanager'), args: [`--config.file=${writeConfig(dir, 'alertmanager-e2e.yml', opts.alertmanagerConfig)}`, ...amArgs], readyUrl: `http://${local(ports.alertmanager)}/-/ready` }
      : { name: 'alertmanager', command: 'sh', args: [join(ROOT, 'stack/alertmanager/start.sh'), ...amArgs], env: { ALERTMANAGER_CONFIG_DIR: amConfigDir!, ALERTMANAGER_BIN: requireBinary('alertmanager') }, readyUrl: `http://${local(ports.alertmanager)}/-/ready` },
    {
      name: 'prometheus',
      command: requireBinary('prometheus'),
      args: [`--config.file=${prometheusConfig(opts)}`, `--storage.tsdb.path=${join(dir, 'prometheus')}`, `--web.listen-address=${local(ports.prometheus)}`, '--web.enable-lifecycle', '--log.level=warn'],
      readyUrl: `http://${local(ports.prometheus)}/-/ready`,
    },
    ...exporters,
    fleetwatch('sim', ['sim'], `http://${local(ports.sim)}/readyz`),
  ];

  const processes = new Map<string, LocalProcess>();
  const launch = async (spec: ProcessSpec) => {
    const logPath = join(dir, 'logs', `${spec.name}.log`);
    const logFile = createWriteStream(logPath, { flags: 'a' });
    const child = spawn(spec.command, spec.args, { cwd: ROOT, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(logFile);
    child.stderr!.pipe(logFile);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    processes.set(spec.name, {
      name: spec.name,
      child,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        // A process that does not finish its shutdown in time is killed.
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(killer);
      },
    });
    await waitReady(spec.readyUrl, child, spec.name, logPath);
  };

  const stopAll = async () => {
    // Reverse order: the simulator first, Prometheus and Alertmanager last.
    for (const p of [...processes.values()].reverse()) await p.stop();
  };
  try {
    for (const spec of specs) await launch(spec);
  } catch (err) {
    await stopAll();
    throw err;
  }

  return {
    urls: {
      prometheus: `http://${local(ports.prometheus)}`,
      alertmanager: `http://${local(ports.alertmanager)}`,
      pager: `http://${local(ports.pager)}`,
      simulator: `http://${local(ports.sim)}`,
      collectors: `http://${local(ports.collectors)}/metrics`,
      opamp: `ws://${local(ports.opamp)}/v1/opamp`,
      connectors: `http://${local(ports.connectors)}/metrics`,
      healthsync: `http://${local(ports.healthsync)}/metrics`,
      butler: `http://${local(ports.butler)}/metrics`,
    },
    processes,
    restart: async (name) => {
      const spec = specs.find((s) => s.name === name);
      if (!spec) throw new Error(`no process named ${name}`);
      await processes.get(name)?.stop();
      await launch(spec);
    },
    stop: stopAll,
  };
}

function writeConfig(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
