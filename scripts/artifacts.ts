/**
 * Every generated artefact, as path → content. `npm run generate` writes
 * them; test/generated.test.ts fails when a committed copy is stale.
 */
import { alertmanagerArtifacts } from '../alerts/alertmanager.js';
import { alertArtifacts } from '../alerts/index.js';
import { dashboardArtifacts } from '../dashboards/index.js';
import { metricsReference } from './metrics-reference.js';

export function artifacts(): Record<string, string> {
  return {
    'docs/metrics.md': metricsReference(),
    ...alertArtifacts(),
    ...alertmanagerArtifacts(),
    ...dashboardArtifacts(),
  };
}
