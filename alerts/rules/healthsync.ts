/** Alerts on health synchronisation freshness (fleetwatch healthsync). */
import type { RuleGroup } from '../lib/types.js';

export const healthsyncRules: RuleGroup = { name: 'fleetwatch-healthsync', domain: 'healthsync', alerts: [] };
