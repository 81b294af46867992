/** Alerts on Butler config reload phases (fleetwatch butler). */
import type { RuleGroup } from '../lib/types.js';

export const butlerRules: RuleGroup = { name: 'fleetwatch-butler', domain: 'butler', alerts: [] };
