/**
 * The Butler simulator against the real butler exporter: the exporter finds
 * the simulated Butlers in the file_sd file the simulator writes, scrapes
 * their /metrics over loopback and takes their log lines on its intake.
 * Each fault drives the exporter's model into the condition its alerts
 * watch, on its own entity only, and clearing it brings that entity back;
 * churn alone never does. Butler and exporter share a manual clock: a test
 * advances it a scheduler interval, has every Butler run its cycle (and,
 * every retrieve interval, fetch its butler.toml), and has the exporter
 * scrape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isButlerConfig } from '../../exporters/butler/file-phases.js';
import { butlerExporter, type ButlerExporter } from '../../exporters/butler/index.js';
import { ManualClock } from '../../exporters/core/clock.js';
import { silentLogger } from '../../exporters/core/log.js';
import { STALE_AFTER_INTERVALS } from '../../alerts/rules/butler.js';
import { butlerSimSchema } from '../../sim/butler/config.js';
import type { InjectedFault } from '../../sim/lib/types.js';
import { ButlerSimulator } from '../../sim/butler/simulator.js';
import { sampleValue, startTestExporter, tempDir, type TestExporter } from '../support/exporter.js';

/** Butler's scheduler interval here and in the exporter, in seconds. */
const INTERVAL = 60;
/** Butler's retrieve interval (butler.toml) here and in the exporter: over 3 scheduler intervals, as by default. */
const RETRIEVE = 300;
const BUTLERS = 4;

let clock: ManualClock;
let fileSd: string;
let exporter: TestExporter;
let butler: ButlerExporter;
let sim: ButlerSimulator;
/** When the Butlers last fetched their butler.toml. */
let retrievedAt: number;

beforeAll(async () => {
  clock = new ManualClock();
  fileSd = join(tempDir(), 'butlers.json');
  exporter = await startTestExporter(butlerExporter, {
    clock,
    sets: [
      `file_sd.files=["${fileSd}"]`,
      // Scrapes happen when the test says, not on timers.
      'file_sd.refresh_seconds=3600',
      'scrape.interval_seconds=3600',
      'logs.poll_interval_seconds=3600',
      `scheduler_interval_seconds=${INTERVAL}`,
      `retrieve_interval_seconds=${RETRIEVE}`,
      'managers={alertmanager: {manager_timeout_ok: true}}',
    ],
  });
  butler = exporter.instance as ButlerExporter;
  sim = new ButlerSimulator(
    butlerSimSchema.parse({
      count: BUTLERS,
      managers_per_butler: 3,
      files_per_manager: 3,
      // Cycles and butler.toml fetches happen when the test says; churn runs on its real timer, often.
      scheduler_interval_seconds: 3600,
      retrieve_interval_seconds: 3600,
      base_port: 0,
      file_sd_path: fileSd,
      logs: { url: `${exporter.url}/api/v1/butler/logs` },
      churn: { interval_seconds: 0.02, retry_share: 0.2, tolerated_timeout_share: 0.3 },
    }),
    silentLogger,
    clock,
  );
  await sim.start();
  retrievedAt = clock.now();
  await butler.refreshTargets();
  await butler.scrapeAll();
});

afterAll(async () => {
  await sim?.stop();
  await exporter?.stop();
});

/** A scheduler interval later: every Butler runs its cycle (its log lines delivered), then the exporter scrapes them all. */
async function cycle(times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    clock.advance(INTERVAL * 1000);
    if (clock.now() - retrievedAt >= RETRIEVE * 1000) {
      sim.retrieveAll();
      retrievedAt = clock.now();
    }
    await sim.cycleAll();
    await butler.scrapeAll();
  }
}

/**
 * Every alert condition of alerts/rules/butler.ts as the exporter's model
 * shows it now (ButlerLkgRestored aside: it is the restore counter going up),
 * as `alert instance [file|manager]`.
 */
function alerting(): string[] {
  const out: string[] = [];
  const now = clock.now();
  for (const st of butler.model.all()) {
    const instance = st.target.instance;
    if (!st.target.up) out.push(`ButlerTargetDown ${instance}`);
    for (const f of st.remoteFiles.values()) {
      const interval = isButlerConfig(f) ? RETRIEVE : INTERVAL;
      if (f.status !== 200) out.push(`ButlerRemoteFetchFailing ${instance} ${f.file}`);
      else if (st.target.up && f.time !== undefined && now - f.time > STALE_AFTER_INTERVALS * interval * 1000) out.push(`ButlerRemoteStale ${instance} ${f.file}`);
      if (f.mustache === 0) out.push(`ButlerMustacheFailing ${instance} ${f.file}`);
      else if (f.render === 0) out.push(`ButlerRenderFailing ${instance} ${f.file}`);
    }
    for (const w of st.writtenFiles.values()) if (w.write === 0) out.push(`ButlerWriteFailing ${instance} ${w.file}`);
    for (const m of st.managers.values()) if (m.status !== undefined && m.status !== 200) out.push(`ButlerReloadFailing ${instance} ${m.manager}`);
  }
  return out.sort();
}

const alertNames = (conditions: string[]) => [...new Set(conditions.map((c) => c.split(' ')[0]!))].sort();

/** Reload attempts by result, or LKG restores, summed over the fleet. */
function fleetTotal(what: 'success' | 'failure' | 'timeout' | 'restores'): number {
  let total = 0;
  for (const st of butler.model.all()) for (const m of st.managers.values()) total += what === 'restores' ? m.restores : m.reloads[what];
  return total;
}

type Target = { instance: string; file?: string; manager?: string };

/** `instance`, `instance file=F` or `instance manager=M`, as the simulator names a fault's target. */
function parseTarget(target: string): Target {
  const [instance, detail] = target.split(' ') as [string, string | undefined];
  const [key, value] = detail?.split('=') ?? [];
  return { instance, ...(key === 'file' ? { file: value } : key === 'manager' ? { manager: value } : {}) };
}

const remoteFile = (instance: string, file: string) => butler.model.get(instance)!.remoteFiles.get(file)!;
const manager = (instance: string, name: string) => butler.model.get(instance)!.managers.get(name)!;

describe('the Butler simulator', () => {
  it('lists its Butlers in the file_sd file, and the exporter derives a healthy fleet from them', async () => {
    const groups = JSON.parse(readFileSync(fileSd, 'utf8')) as Array<{ targets: string[] }>;
    expect(groups.flatMap((g) => g.targets).sort()).toEqual([...sim.instances].sort());
    expect([...butler.model.all()].map((st) => st.target.instance).sort()).toEqual([...sim.instances].sort());
    for (const st of butler.model.all()) {
      expect(st.target.up).toBe(true);
      // A fresh install wrote and reloaded every manager on its first cycle: status 200 and an LKG.
      expect([...st.managers.values()].map((m) => [m.manager, m.status, m.lkg !== undefined]).sort()).toEqual([
        ['alertmanager', 200, true],
        ['prometheus', 200, true],
        ['ruler', 200, true],
      ]);
      expect(st.remoteFiles.size).toBe(3 * 3 + 1); // 3 managers × 3 files, and butler.toml
      expect(st.writtenFiles.size).toBe(3 * 3);
    }
    const text = await exporter.scrape();
    const first = sim.instances[0]!;
    expect(sampleValue(text, 'butler_cfg_render', { instance: first, file: 'cfg.sim.example/templates/alertmanager-1.tmpl', method: 'text' })).toBe(1);
    expect(sampleValue(text, 'butler_remote_status', { instance: first, file: `cfg.sim.example/butler/butler-0/butler.toml` })).toBe(200);
    expect(alerting()).toEqual([]);
  });

  it('fetches butler.toml on its own loop: older than 3 scheduler intervals, yet within its retrieve interval, and no alert condition', async () => {
    const tomlAge = () => Math.max(...[...butler.model.all()].map((st) => clock.now() - [...st.remoteFiles.values()].find(isButlerConfig)!.time!));
    for (let i = 0; i < RETRIEVE / INTERVAL && tomlAge() <= STALE_AFTER_INTERVALS * INTERVAL * 1000; i++) await cycle();
    expect(tomlAge()).toBeGreaterThan(STALE_AFTER_INTERVALS * INTERVAL * 1000);
    expect(alerting()).toEqual([]);
    const toml = `cfg.sim.example/butler/butler-0/butler.toml`;
    expect(sampleValue(await exporter.scrape(), 'butler_retrieve_interval_seconds', { instance: sim.instances[0]!, file: toml })).toBe(RETRIEVE);
  });

  it('churns: config changes are written and reloaded, tolerated timeouts counted, and no alert condition arises', async () => {
    const successes = fleetTotal('success');
    const churned = () => fleetTotal('success') >= successes + 10 && fleetTotal('timeout') > 0;
    // Bounded: churn runs on its own (real) timer; each round gives it a few ms.
    for (let i = 0; i < 200 && !churned(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await cycle();
      expect(alerting()).toEqual([]);
    }
    expect(fleetTotal('success')).toBeGreaterThanOrEqual(successes + 10);
    // Only alertmanager (manager-timeout-ok) times out, and the exporter sets no status for it.
    expect(fleetTotal('timeout')).toBeGreaterThan(0);
    for (const st of butler.model.all()) expect(st.managers.get('prometheus')!.reloads.timeout).toBe(0);
    expect(fleetTotal('failure')).toBe(0);
    expect(fleetTotal('restores')).toBe(0);
  });

  it.each([
    ['butler-remote-down', (t: Target) => expect(remoteFile(t.instance, t.file!).status).toBe(0)],
    ['butler-scheduler-stall', (t: Target) => {
      const files = [...butler.model.get(t.instance)!.remoteFiles.values()];
      const toml = files.find(isButlerConfig)!;
      expect(toml.time).toBe(retrievedAt);
      expect(files.filter((f) => f !== toml).every((f) => f.status === 200 && f.time! <= clock.now() - (STALE_AFTER_INTERVALS + 1) * INTERVAL * 1000)).toBe(true);
    }],
    ['butler-mustache-error', (t: Target) => expect([remoteFile(t.instance, t.file!).mustache, remoteFile(t.instance, t.file!).render]).toEqual([0, 0])],
    ['butler-invalid-config', (t: Target) => expect([remoteFile(t.instance, t.file!).mustache, remoteFile(t.instance, t.file!).render]).toEqual([1, 0])],
    ['butler-write-failure', (t: Target) => expect(butler.model.get(t.instance)!.writtenFiles.get(t.file!)!.write).toBe(0)],
    ['butler-reload-rejected', (t: Target) => expect(manager(t.instance, t.manager!).status).toBe(500)],
    ['butler-reload-timeout', (t: Target) => expect(manager(t.instance, t.manager!).status).toBe(0)],
    ['butler-target-down', (t: Target) => expect(butler.model.get(t.instance)!.target.up).toBe(false)],
  ] as const)('%s raises exactly its alerts on its entity, and clearing it brings the entity back', async (fault, check) => {
    const spec = sim.faults.find((f) => f.name === fault)!;
    expect(alerting()).toEqual([]);
    const restores = fleetTotal('restores');

    const { target } = await sim.inject(fault);
    const t = parseTarget(target);
    // Past 3 scheduler intervals, so a frozen butler_remote_time shows as stale.
    await cycle(STALE_AFTER_INTERVALS + 1);
    check(t);
    const conditions = alerting();
    expect(alertNames(conditions)).toEqual(spec.alerts.filter((a) => a !== 'ButlerLkgRestored').sort());
    for (const c of conditions) expect(c.startsWith(`${c.split(' ')[0]} ${t.instance}`)).toBe(true);
    if (t.file) expect(conditions.every((c) => c.endsWith(` ${t.file}`))).toBe(true);
    if (t.manager) expect(conditions).toEqual([`ButlerReloadFailing ${t.instance} ${t.manager}`]);
    // A failed reload restores the LKG every cycle; nothing else restores anything.
    if (spec.alerts.includes('ButlerLkgRestored')) expect(fleetTotal('restores')).toBe(restores + STALE_AFTER_INTERVALS + 1);
    else expect(fleetTotal('restores')).toBe(restores);

    const reloaded = fleetTotal('success');
    await sim.clear(fault);
    await cycle();
    expect(alerting()).toEqual([]);
    expect(sim.active()).toEqual([]);
    if (t.manager) {
      expect(manager(t.instance, t.manager).status).toBe(200);
      expect(fleetTotal('success')).toBeGreaterThan(reloaded);
    }
  });

  it('puts simultaneous faults on different entities, and they all clear', async () => {
    const injected: InjectedFault[] = [];
    for (const f of sim.faults) injected.push(await sim.inject(f.name));
    expect(await sim.inject('butler-remote-down')).toEqual(injected.find((i) => i.fault === 'butler-remote-down'));
    await expect(sim.inject('butler-no-such-fault')).rejects.toThrow();

    expect(new Set(injected.map((i) => i.target)).size).toBe(injected.length);
    const targets = injected.map((i) => parseTarget(i.target));
    const wholeButlers = targets.filter((t) => !t.file && !t.manager).map((t) => t.instance);
    for (const t of targets) if (t.file || t.manager) expect(wholeButlers).not.toContain(t.instance);

    await cycle(STALE_AFTER_INTERVALS + 1);
    expect(alertNames(alerting())).toEqual([...new Set(sim.faults.flatMap((f) => f.alerts))].filter((a) => a !== 'ButlerLkgRestored').sort());

    for (const f of sim.faults) await sim.clear(f.name);
    await cycle();
    expect(alerting()).toEqual([]);
  });

  it('sent nothing the exporter refused: every exposition parsed, every log line taken', async () => {
    const text = await exporter.scrape();
    for (const reason of ['invalid_exposition', 'invalid_log_line', 'unknown_instance', 'missing_instance', 'unsupported_media_type']) {
      expect(sampleValue(text, 'fleetwatch_rejected_requests_total', { exporter: 'butler', reason }) ?? 0, reason).toBe(0);
    }
  });

  it('runs every Butler\'s butler.toml fetch on its own timer at the retrieve interval, apart from its cycle', async () => {
    const fast = new ButlerSimulator(
      butlerSimSchema.parse({ count: 1, scheduler_interval_seconds: 3600, retrieve_interval_seconds: 0.05, base_port: 0, file_sd_path: join(tempDir(), 'toml.json'), logs: { enabled: false } }),
      silentLogger,
    );
    await fast.start();
    try {
      const contactTimes = async () => {
        const text = await (await fetch(`http://${fast.instances[0]}/metrics`)).text();
        return [sampleValue(text, 'butler_remoterepo_contact_time', { config_file: '/butler/butler-0/butler.toml' })!, sampleValue(text, 'butler_remoterepo_contact_time', { config_file: 'prometheus.yml' })!];
      };
      const [toml, managed] = await contactTimes();
      let later = [toml, managed];
      for (let i = 0; i < 100 && later[0] === toml; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        later = await contactTimes();
      }
      expect(later[0]).toBeGreaterThan(toml!);
      expect(later[1]).toBe(managed);
    } finally {
      await fast.stop();
    }
  });

  it('runs every Butler on its own timer at the scheduler interval', async () => {
    const fast = new ButlerSimulator(
      butlerSimSchema.parse({ count: 2, scheduler_interval_seconds: 0.05, base_port: 0, file_sd_path: join(tempDir(), 'fast.json'), logs: { enabled: false } }),
      silentLogger,
    );
    await fast.start();
    try {
      const contactTime = async () => {
        const text = await (await fetch(`http://${fast.instances[1]}/metrics`)).text();
        return sampleValue(text, 'butler_remoterepo_contact_time', { config_file: 'prometheus.yml' })!;
      };
      const first = await contactTime();
      let later = first;
      for (let i = 0; i < 100 && later === first; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        later = await contactTime();
      }
      expect(later).toBeGreaterThan(first);
    } finally {
      await fast.stop();
    }
  });
});
