/**
 * The check states one simulated source reports on a sub stream: a fixed
 * set, mostly Clear, whose health changes now and then — the background
 * churn every monitored estate has.
 */
import type { CheckState, HealthValue } from './format.js';

const CHECK_NAMES = ['Disk usage', 'CPU load', 'Memory', 'NTP offset', 'Service nginx', 'Service postgres', 'Certificate expiry', 'Backup age', 'Packet loss', 'Inode usage'];

/** A changed Clear check goes Deviating more often than Critical; a failing one recovers. */
export function nextHealth(h: HealthValue): HealthValue {
  if (h !== 'Clear') return 'Clear';
  return Math.random() < 0.7 ? 'Deviating' : 'Critical';
}

export function describeHealth(name: string, element: string, h: HealthValue): string {
  return h === 'Clear' ? `${name} on \`${element}\` is fine` : `${name} on \`${element}\` is **${h.toLowerCase()}**. [Runbook](https://runbooks.example/${encodeURIComponent(name)})`;
}

export function makeCheckState(id: string, name: string, element: string, h: HealthValue): CheckState {
  return { checkStateId: id, name, topologyElementIdentifier: element, health: h, message: describeHealth(name, element, h) };
}

export class CheckSet {
  private readonly states: CheckState[];

  /** `count` checks on the topology element `element`, ids prefixed with `prefix`. */
  constructor(prefix: string, element: string, count: number) {
    this.states = Array.from({ length: count }, (_, i) => {
      const name = CHECK_NAMES[i % CHECK_NAMES.length]!;
      return makeCheckState(`${prefix}-${i}`, i < CHECK_NAMES.length ? name : `${name} #${Math.floor(i / CHECK_NAMES.length)}`, element, 'Clear');
    });
  }

  /** Each check changes health with probability `share`. */
  churn(share: number): void {
    for (const s of this.states) {
      if (Math.random() >= share) continue;
      s.health = nextHealth(s.health);
      s.message = describeHealth(s.name, s.topologyElementIdentifier, s.health);
    }
  }

  all(): readonly CheckState[] {
    return this.states;
  }

  /** The checks in messages of at most `size`. */
  chunks(size: number): CheckState[][] {
    const out: CheckState[][] = [];
    for (let i = 0; i < this.states.length; i += size) out.push(this.states.slice(i, i + size));
    return out;
  }
}
