/**
 * The faults one simulator has injected: what each landed on and how to undo
 * it. A fault is applied at most once at a time; clearing undoes it.
 */
import type { Logger } from '../../exporters/core/log.js';
import { UnknownFaultError, type FaultSpec, type InjectedFault } from './types.js';

export interface AppliedFault {
  /** What the fault landed on, e.g. a collector id or `pg/10.0.0.1:8080`. */
  target: string;
  undo: () => Promise<void>;
}

export class FaultBook {
  private readonly injected = new Map<string, AppliedFault>();
  /** Faults being applied now: a second inject of one must not apply it twice. */
  private readonly applying = new Set<string>();

  constructor(
    private readonly specs: readonly FaultSpec[],
    private readonly log: Logger,
  ) {}

  active(): InjectedFault[] {
    return [...this.injected].map(([fault, { target }]) => ({ fault, target }));
  }

  async inject(fault: string, apply: (fault: string) => Promise<AppliedFault>): Promise<InjectedFault> {
    if (!this.specs.some((f) => f.name === fault)) throw new UnknownFaultError(fault);
    const existing = this.injected.get(fault);
    if (existing) return { fault, target: existing.target };
    if (this.applying.has(fault)) throw new Error(`${fault} is being injected`);
    this.applying.add(fault);
    const applied = await apply(fault).finally(() => this.applying.delete(fault));
    this.injected.set(fault, applied);
    this.log.info({ fault, target: applied.target }, 'fault injected');
    return { fault, target: applied.target };
  }

  async clear(fault: string): Promise<void> {
    const entry = this.injected.get(fault);
    if (!entry) return;
    this.injected.delete(fault);
    await entry.undo();
    this.log.info({ fault, target: entry.target }, 'fault cleared');
  }
}

/** A deterministic pick from a list, for faults that must not land on the same entity twice. */
export function pickFree<T>(items: readonly T[], taken: (item: T) => boolean): T | undefined {
  return items.find((item) => !taken(item));
}
