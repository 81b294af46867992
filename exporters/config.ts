/** The whole config file: process-wide keys, then one section per exporter. */
import { z } from 'zod';
import { pagerConfigSchema, simConfigSchema } from '../sim/config.js';
import { str } from './core/config.js';
import { EXPORTERS } from './registry.js';

export const rootConfigSchema = z
  .object({
    /** Where each exporter keeps its SQLite file. */
    data_dir: str().default('./data'),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ...Object.fromEntries(EXPORTERS.map((e) => [e.name, e.configSchema])),
    sim: simConfigSchema,
    pager: pagerConfigSchema,
  })
  .strict();

export type RootConfig = z.output<typeof rootConfigSchema> & Record<string, unknown>;
