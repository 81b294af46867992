/**
 * The simulator's control API: list faults, inject and clear them by name.
 *   GET    /faults          every fault, and which are active
 *   POST   /faults/{name}   inject (409 if already active)
 *   DELETE /faults/{name}   clear
 */
import type { FastifyInstance } from 'fastify';
import { createFastify, InputError } from '../../exporters/core/http.js';
import type { Logger } from '../../exporters/core/log.js';
import { Rejections } from '../../exporters/core/self-metrics.js';
import type { DomainSimulator } from './types.js';

export function controlServer(simulators: readonly DomainSimulator[], log: Logger): FastifyInstance {
  const app = createFastify({ log, rejections: new Rejections(), bodyLimitBytes: 64 * 1024 });
  const owner = (name: string) => {
    const sim = simulators.find((s) => s.faults.some((f) => f.name === name));
    if (!sim) throw new InputError(404, 'unknown_fault', `no fault named "${name}"; GET /faults lists them`);
    return sim;
  };
  app.get('/faults', async () => ({
    faults: simulators.flatMap((s) => s.faults.map((f) => ({ ...f, domain: s.domain, active: s.active().filter((a) => a.fault === f.name) }))),
  }));
  app.post<{ Params: { name: string } }>('/faults/:name', async (request, reply) => {
    const sim = owner(request.params.name);
    if (sim.active().some((a) => a.fault === request.params.name)) throw new InputError(409, 'fault_active', `${request.params.name} is already injected; DELETE it first`);
    return reply.code(201).send(await sim.inject(request.params.name));
  });
  app.delete<{ Params: { name: string } }>('/faults/:name', async (request, reply) => {
    await owner(request.params.name).clear(request.params.name);
    return reply.code(204).send();
  });
  // Listening means started: the simulators start before the control API.
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => ({ status: 'ready' }));
  return app;
}
