/**
 * The lifecycle of a connector instance, read from its two health endpoints
 * (the reference, Topic B): /health answers while the process runs, /ready
 * answers 200 once it has reached the Control Plane, loaded its config and
 * started its listeners, and 503 before that and while it shuts down.
 *
 *   alive, not ready, not ready before        → starting
 *   alive and ready                            → ready
 *   alive, not ready, ready or draining before → draining (first step of a graceful shutdown)
 *   not alive                                  → down
 *
 * Going down from draining is a graceful stop; from starting or ready, an
 * unexpected one. Coming back from down is a restart.
 */
export const LIFECYCLE_STATES = ['starting', 'ready', 'draining', 'down'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];
export type StopKind = 'graceful' | 'unexpected';
export const STOP_KINDS: readonly StopKind[] = ['graceful', 'unexpected'];

export interface Transition {
  to: LifecycleState;
  stop?: StopKind;
  restart: boolean;
}

/** `from` is undefined before the first probe of an instance. */
export function nextState(from: LifecycleState | undefined, alive: boolean, ready: boolean): Transition {
  if (!alive) {
    const stop = from === 'draining' ? 'graceful' : from === 'ready' || from === 'starting' ? 'unexpected' : undefined;
    return { to: 'down', stop, restart: false };
  }
  const restart = from === 'down';
  if (ready) return { to: 'ready', restart };
  return { to: from === 'ready' || from === 'draining' ? 'draining' : 'starting', restart };
}

/** blackbox_exporter's default valid_status_codes: any 2xx. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
