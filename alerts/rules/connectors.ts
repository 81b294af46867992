/** Alerts on connector instances (fleetwatch connectors). */
import type { RuleGroup } from '../lib/types.js';

export const connectorRules: RuleGroup = { name: 'fleetwatch-connectors', domain: 'connectors', alerts: [] };
