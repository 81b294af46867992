/** The `sim:` and `pager:` sections: the fleet simulator and the local pager. */
import { z } from 'zod';
import { listenSchema } from '../exporters/core/config.js';
import { collectorsSimSchema } from './collectors/config.js';

export const simConfigSchema = z
  .object({
    /** The control API (GET /faults, POST and DELETE /faults/{name}). */
    control: listenSchema(9820),
    collectors: collectorsSimSchema,
  })
  .strict()
  .default({});

export const pagerConfigSchema = z.object({ listen: listenSchema(9099) }).strict().default({});

export type SimConfig = z.output<typeof simConfigSchema>;
