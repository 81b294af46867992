/** The `sim:` and `pager:` sections: the fleet simulator and the local pager. */
import { z } from 'zod';
import { bool, listenSchema } from '../exporters/core/config.js';
import { butlerSimSchema } from './butler/config.js';
import { collectorsSimSchema } from './collectors/config.js';
import { connectorsSimSchema } from './connectors/config.js';
import { healthsyncSimSchema } from './healthsync/config.js';

export const simConfigSchema = z
  .object({
    /** Off: `fleetwatch sim` exits at once (the compose stack's real-sources mode). */
    enabled: bool().default(true),
    /** The control API (GET /faults, POST and DELETE /faults/{name}). */
    control: listenSchema(9820),
    collectors: collectorsSimSchema,
    connectors: connectorsSimSchema,
    healthsync: healthsyncSimSchema,
    butler: butlerSimSchema,
  })
  .strict()
  .default({});

export const pagerConfigSchema = z.object({ listen: listenSchema(9099) }).strict().default({});

export type SimConfig = z.output<typeof simConfigSchema>;
