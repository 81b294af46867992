import { describe, expect, it } from 'vitest';
import { isSuccess, nextState, type LifecycleState } from './lifecycle.js';

describe('connector lifecycle', () => {
  it.each<[LifecycleState | undefined, boolean, boolean, ReturnType<typeof nextState>]>([
    // First probe: no stop, no restart, whatever it shows.
    [undefined, true, false, { to: 'starting', restart: false }],
    [undefined, true, true, { to: 'ready', restart: false }],
    [undefined, false, false, { to: 'down', stop: undefined, restart: false }],
    // Starting up.
    ['starting', true, false, { to: 'starting', restart: false }],
    ['starting', true, true, { to: 'ready', restart: false }],
    ['starting', false, false, { to: 'down', stop: 'unexpected', restart: false }],
    // Ready, then a 503 while alive is draining; a drain can be called off.
    ['ready', true, false, { to: 'draining', restart: false }],
    ['ready', false, true, { to: 'down', stop: 'unexpected', restart: false }],
    ['draining', true, false, { to: 'draining', restart: false }],
    ['draining', true, true, { to: 'ready', restart: false }],
    ['draining', false, false, { to: 'down', stop: 'graceful', restart: false }],
    // Coming back.
    ['down', false, false, { to: 'down', stop: undefined, restart: false }],
    ['down', true, false, { to: 'starting', restart: true }],
    ['down', true, true, { to: 'ready', restart: true }],
  ])('from %s, alive %s, ready %s', (from, alive, ready, expected) => {
    expect(nextState(from, alive, ready)).toEqual(expected);
  });

  it('counts any 2xx as success, as blackbox_exporter does', () => {
    expect([199, 200, 204, 299, 300, 503, 0].map(isSuccess)).toEqual([false, true, true, true, false, false, false]);
  });
});
