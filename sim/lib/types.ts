/**
 * What every simulated domain offers: it runs (speaking the real protocol to
 * the real exporter), keeps a steady background of realistic churn, and
 * takes named faults on command — one fault for every alert.
 */
export type Domain = 'collectors' | 'connectors' | 'healthsync' | 'butler';

export interface FaultSpec {
  /** kebab-case, unique across domains, e.g. `collector-disconnect`. */
  name: string;
  description: string;
  /** The alerts this fault should raise (the end-to-end test waits for them). */
  alerts: string[];
  /** Fleet-wide faults change what other alerts may fire (inhibitions); the e2e runs them alone. */
  exclusive?: boolean;
}

export interface InjectedFault {
  fault: string;
  /** What it was applied to, e.g. a collector id or `pg/10.0.0.1:8080`. */
  target: string;
}

export interface DomainSimulator {
  readonly domain: Domain;
  readonly faults: readonly FaultSpec[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Applies a fault to one entity the simulator picks; a fault already active is not applied twice. */
  inject(fault: string): Promise<InjectedFault>;
  /** Undoes it: the entity goes back to healthy. */
  clear(fault: string): Promise<void>;
  /** Faults active now. */
  active(): InjectedFault[];
}

export class UnknownFaultError extends Error {}
