/**
 * The seven collector states (Bindplane's names) and the seed's state
 * diagram: exactly these edges are legal. A change along any other edge is
 * still applied, but it means events were missed, and it is counted apart.
 */
export const STATES = ['Connected', 'Disconnected', 'Error', 'Configuring', 'Pending', 'Incompatible', 'Upgrading'] as const;
export type CollectorState = (typeof STATES)[number];

/** The pseudo-state a collector is in before it is first seen. */
export const START = 'start';
export type FromState = CollectorState | typeof START;

const LEGAL_EDGES: Record<FromState, readonly CollectorState[]> = {
  start: ['Connected'],
  Connected: ['Disconnected', 'Error', 'Configuring', 'Pending', 'Incompatible', 'Upgrading'],
  Disconnected: ['Connected'],
  Error: ['Connected', 'Disconnected', 'Configuring', 'Pending', 'Incompatible', 'Upgrading'],
  Configuring: ['Connected', 'Disconnected', 'Error'],
  Pending: ['Configuring'],
  Incompatible: ['Disconnected', 'Error', 'Configuring', 'Pending', 'Upgrading'],
  Upgrading: ['Connected', 'Disconnected', 'Error'],
};

export function isLegal(from: FromState, to: CollectorState): boolean {
  return LEGAL_EDGES[from].includes(to);
}

export function legalEdges(): Array<[FromState, CollectorState]> {
  return (Object.keys(LEGAL_EDGES) as FromState[]).flatMap((from) => LEGAL_EDGES[from].map((to): [FromState, CollectorState] => [from, to]));
}

const BY_LOWER = new Map(STATES.map((s) => [s.toLowerCase(), s]));

/** The state named, in any letter case; undefined if it is not one of the seven. */
export function parseState(name: string): CollectorState | undefined {
  return BY_LOWER.get(name.toLowerCase());
}
