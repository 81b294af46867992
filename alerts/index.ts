/** Every rule group, and the files generated from them. */
import { ruleFile, unitTestFile } from './lib/render.js';
import type { RuleGroup } from './lib/types.js';
import { butlerRules } from './rules/butler.js';
import { collectorRules } from './rules/collectors.js';
import { connectorRules } from './rules/connectors.js';
import { fleetwatchRules } from './rules/fleetwatch.js';
import { healthsyncRules } from './rules/healthsync.js';

export const RULE_GROUPS: readonly RuleGroup[] = [fleetwatchRules, collectorRules, connectorRules, healthsyncRules, butlerRules];

export const RULES_FILE = 'alerts/generated/fleetwatch.rules.yml';
export const TESTS_FILE = 'alerts/generated/fleetwatch.rules.test.yml';

export function alertArtifacts(): Record<string, string> {
  return {
    [RULES_FILE]: ruleFile(RULE_GROUPS),
    [TESTS_FILE]: unitTestFile(RULE_GROUPS, ['fleetwatch.rules.yml']),
  };
}
