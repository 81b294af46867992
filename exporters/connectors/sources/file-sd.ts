/**
 * Prometheus file_sd groups as connector targets: every group names its
 * connector with a label (`connector` unless configured otherwise), and
 * every target is `host[:port]`. A file with a group that breaks either
 * rule is invalid as a whole, so it keeps its last good groups.
 */
import { FileSdError, type TargetGroup } from '../../core/file-sd.js';
import { MAX_NAME_LENGTH } from '../config.js';
import { AddressError, parseAddress, type Target } from '../targets.js';

/** Throws FileSdError naming the first group or target that cannot be used. */
export function checkConnectorGroups(groups: readonly TargetGroup[], file: string, connectorLabel: string): void {
  groups.forEach((g, i) => {
    const connector = g.labels[connectorLabel];
    if (!connector || connector.length > MAX_NAME_LENGTH) {
      throw new FileSdError(`${file}: group ${i}: the "${connectorLabel}" label must name the connector (1 to ${MAX_NAME_LENGTH} characters)`);
    }
    for (const target of g.targets) {
      try {
        parseAddress(target, 1);
      } catch (err) {
        if (err instanceof AddressError) throw new FileSdError(`${file}: group ${i}: ${err.message}`);
        throw err;
      }
    }
  });
}

/** Targets of checked groups. */
export function groupsToTargets(groups: readonly TargetGroup[], connectorLabel: string, defaultPort: number): Target[] {
  return groups.flatMap((g) => g.targets.map((t) => ({ connector: g.labels[connectorLabel]!, address: parseAddress(t, defaultPort).address, source: 'file_sd' as const })));
}
