import { describe, expect, it } from 'vitest';
import type { AppNodeState } from '../../shared/contract/index.js';
import { AppReservations, type ReservableRun } from './app-reservations.js';
import { freshNode } from './node-run-state.js';

const run = (id: string, app: string, states: Record<string, Partial<AppNodeState>>): ReservableRun => ({
  id,
  definition: { name: app },
  state: (node) => ({ ...freshNode(node), ...states[node] }),
});

describe('app reservations', () => {
  it('refuses a second deploy of an app on a node while the first is deploying, naming the run; the release frees it', () => {
    const reservations = new AppReservations(() => []);
    const release = reservations.reserve('hello', ['n1', 'n2'], 'app-1');
    expect(() => reservations.reserve('hello', ['n2', 'n3'], 'app-2')).toThrow(expect.objectContaining({ code: 'busy', field: 'nodes', message: 'hello is already deploying or running on n2 (run app-1): stop it there first, or deploy to other nodes' }));
    // Another app, or other nodes, are free.
    reservations.reserve('other', ['n1'], 'app-3');
    reservations.reserve('hello', ['n3'], 'app-4');
    release();
    reservations.reserve('hello', ['n1', 'n2'], 'app-5');
  });

  it('refuses while a run of the app is building or running on the node, not once it ended there', () => {
    const runs = [run('app-1', 'hello', { n1: { status: 'RUNNING' }, n2: { status: 'FINISHED' }, n3: { status: 'BUILDING' } })];
    const reservations = new AppReservations(() => runs);
    expect(() => reservations.reserve('hello', ['n1', 'n2', 'n3'], 'app-2')).toThrow('on n1, n3 (run app-1)');
    reservations.reserve('hello', ['n2', 'n4'], 'app-3');
  });
});
