/** Every exporter fleetwatch has; `fleetwatch all` runs them all. */
import { butlerExporter } from './butler/index.js';
import { collectorsExporter } from './collectors/index.js';
import { connectorsExporter } from './connectors/index.js';
import type { ExporterDefinition } from './core/runtime.js';
import { healthsyncExporter } from './healthsync/index.js';

export const EXPORTERS: readonly ExporterDefinition[] = [collectorsExporter, connectorsExporter, healthsyncExporter, butlerExporter];
