/**
 * `fleetwatch sim`: every enabled simulated domain, talking to the real
 * exporters, plus the control API that injects and clears faults.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from '../exporters/core/log.js';
import { ButlerSimulator } from './butler/simulator.js';
import { CollectorsSimulator } from './collectors/simulator.js';
import { ConnectorsSimulator } from './connectors/simulator.js';
import { HealthsyncSimulator } from './healthsync/simulator.js';
import type { SimConfig } from './config.js';
import { controlServer } from './lib/control.js';
import type { DomainSimulator } from './lib/types.js';

export interface RunningSimulator {
  simulators: DomainSimulator[];
  /** Base URL of the control API. */
  controlUrl: string;
  stop(): Promise<void>;
}

export function buildSimulators(config: SimConfig, log: Logger): DomainSimulator[] {
  const sims: DomainSimulator[] = [];
  if (config.collectors.enabled) sims.push(new CollectorsSimulator(config.collectors, log.child({ sim: 'collectors' })));
  if (config.connectors.enabled) sims.push(new ConnectorsSimulator(config.connectors, log.child({ sim: 'connectors' })));
  if (config.healthsync.enabled) sims.push(new HealthsyncSimulator(config.healthsync, log.child({ sim: 'healthsync' })));
  if (config.butler.enabled) sims.push(new ButlerSimulator(config.butler, log.child({ sim: 'butler' })));
  return sims;
}

export async function runSimulator(config: SimConfig, log: Logger): Promise<RunningSimulator> {
  const simulators = buildSimulators(config, log);
  for (const sim of simulators) await sim.start();
  const control = controlServer(simulators, log.child({ sim: 'control' }));
  await control.listen({ host: config.control.host, port: config.control.port });
  const { port } = control.server.address() as AddressInfo;
  log.info({ port, faults: simulators.flatMap((s) => s.faults.map((f) => f.name)) }, 'fleet simulator ready');
  return {
    simulators,
    controlUrl: `http://${config.control.host === '0.0.0.0' ? '127.0.0.1' : config.control.host}:${port}`,
    stop: async () => {
      await control.close();
      for (const sim of simulators) await sim.stop();
    },
  };
}
