/**
 * What every domain simulator shares: its faults go through a FaultBook, and
 * only how a fault is applied is the domain's own.
 */
import type { Logger } from '../../exporters/core/log.js';
import { FaultBook, type AppliedFault } from './fault-book.js';
import type { DomainSimulator, Domain, FaultSpec, InjectedFault } from './types.js';

export abstract class FaultingSimulator implements DomainSimulator {
  abstract readonly domain: Domain;
  private readonly book: FaultBook;

  constructor(
    readonly faults: readonly FaultSpec[],
    log: Logger,
  ) {
    this.book = new FaultBook(faults, log);
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  /** Applies `fault` to an entity the domain picks, and says how to undo it. */
  protected abstract apply(fault: string): Promise<AppliedFault>;

  active(): InjectedFault[] {
    return this.book.active();
  }

  inject(fault: string): Promise<InjectedFault> {
    return this.book.inject(fault, (f) => this.apply(f));
  }

  clear(fault: string): Promise<void> {
    return this.book.clear(fault);
  }
}
