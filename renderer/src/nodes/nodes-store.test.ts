import { beforeEach, describe, expect, it } from 'vitest';
import type { HostKeyPrompt, NodeStatus, PassphrasePrompt, SlipwayEvent } from '../../../shared/contract/index.js';
import { BackendError } from '../connection/frame-client.js';
import { initialNodesData, selectOpenStatus, selectPendingCount, selectShownPassphrase, selectShownPrompt, useNodes } from './nodes-store.js';
import { fakeBackend } from '../test-support/fake-backend.js';

const status = (name: string, change: Partial<NodeStatus> = {}): NodeStatus => ({
  spec: { name, host: `10.0.1.${name.length}`, port: 22, user: 'root', identity: null, jump: null, labels: ['rack=1'] },
  state: 'reachable',
  lastSeen: '2025-01-14T09:00:00.000Z',
  latencyMs: 1.2,
  facts: null,
  errors: [],
  ...change,
});
const prompt = (id: string, node: string): HostKeyPrompt => ({ id, node, host: '10.0.4.11', port: 22, keyType: 'ssh-ed25519', fingerprint: `SHA256:${'A'.repeat(43)}` });
const passphrase = (id: string, node: string, keptIn: PassphrasePrompt['keptIn'] = 'session'): PassphrasePrompt => ({ id, node, keyPath: '/home/operator/.ssh/id_vault_ed25519', keptIn });

let seq = 0;
const event = (e: Omit<SlipwayEvent, 'seq'>) => useNodes.getState().apply({ ...e, seq: ++seq } as SlipwayEvent);


describe('nodes store', () => {
  beforeEach(() => useNodes.setState(initialNodesData()));

  it('loads the snapshot, then follows status deltas and removals', async () => {
    fakeBackend((command) => (command === 'nodes.list' ? [status('a'), status('b'), status('c')] : command === 'nodes.pendingHostKeys' ? [prompt('p1', 'c')] : []));
    await useNodes.getState().load();
    useNodes.setState({ selected: ['a', 'b'], open: 'b' });
    expect(Object.keys(useNodes.getState().statuses)).toEqual(['a', 'b', 'c']);
    expect(useNodes.getState().prompts).toHaveLength(1);

    event({ topic: 'nodes.status', payload: status('a', { state: 'unreachable', errors: [{ at: '2025-01-14T09:01:00.000Z', message: 'connect ECONNREFUSED 10.0.1.1:22' }] }) });
    event({ topic: 'nodes.status', payload: status('d', { state: 'unknown' }) });
    expect(useNodes.getState().statuses.a!.state).toBe('unreachable');
    expect(useNodes.getState().statuses.d!.state).toBe('unknown');
    expect(selectOpenStatus(useNodes.getState())?.spec.name).toBe('b');

    event({ topic: 'nodes.removed', payload: { names: ['b', 'c'] } });
    const state = useNodes.getState();
    expect(Object.keys(state.statuses).sort()).toEqual(['a', 'd']);
    expect(state.selected).toEqual(['a']);
    expect(state.open).toBeNull();
  });

  it('keeps pending host-key prompts from the snapshot and events, once each, until resolved', async () => {
    fakeBackend((command) => (command === 'nodes.pendingHostKeys' ? [prompt('p1', 'n1')] : []));
    await useNodes.getState().load();
    event({ topic: 'nodes.hostKeyPrompt', payload: prompt('p1', 'n1') });
    event({ topic: 'nodes.hostKeyPrompt', payload: prompt('p2', 'n2') });
    expect(useNodes.getState().prompts.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(selectShownPrompt(useNodes.getState())?.id).toBe('p1');

    useNodes.getState().defer('p1');
    expect(selectShownPrompt(useNodes.getState())?.id).toBe('p2');
    event({ topic: 'nodes.hostKeyResolved', payload: { id: 'p2', accepted: true } });
    expect(selectShownPrompt(useNodes.getState())).toBeNull();
    useNodes.getState().reviewPrompts();
    expect(selectShownPrompt(useNodes.getState())?.id).toBe('p1');
  });

  it('answers a prompt and forgets it at once', async () => {
    const requests = fakeBackend(() => ({ answered: true }));
    useNodes.setState({ prompts: [prompt('p1', 'n1')] });
    await useNodes.getState().answer('p1', false);
    expect(requests).toEqual([{ command: 'nodes.answerHostKey', payload: { id: 'p1', accept: false } }]);
    expect(useNodes.getState().prompts).toEqual([]);
  });

  it('keeps pending passphrase prompts from the snapshot and events, once each, oldest shown first, until resolved', async () => {
    fakeBackend((command) => (command === 'nodes.pendingPassphrases' ? [passphrase('k1', 'vault')] : command === 'nodes.pendingHostKeys' ? [prompt('p1', 'n1')] : []));
    await useNodes.getState().load();
    expect(useNodes.getState().passphrases).toEqual([passphrase('k1', 'vault')]);
    expect(selectPendingCount(useNodes.getState())).toBe(2);

    event({ topic: 'nodes.passphrasePrompt', payload: passphrase('k1', 'vault') });
    event({ topic: 'nodes.passphrasePrompt', payload: passphrase('k2', 'safe', 'os-keyring') });
    expect(useNodes.getState().passphrases.map((p) => p.id)).toEqual(['k1', 'k2']);
    expect(selectShownPassphrase(useNodes.getState())?.id).toBe('k1');
    expect(selectPendingCount(useNodes.getState())).toBe(3);

    event({ topic: 'nodes.passphraseResolved', payload: { id: 'k1' } });
    expect(selectShownPassphrase(useNodes.getState())).toEqual(passphrase('k2', 'safe', 'os-keyring'));
    // A host-key answer leaves the passphrases alone, and the other way round.
    event({ topic: 'nodes.hostKeyResolved', payload: { id: 'p1', accepted: true } });
    expect(useNodes.getState().passphrases).toHaveLength(1);
    event({ topic: 'nodes.passphraseResolved', payload: { id: 'nope' } });
    expect(selectPendingCount(useNodes.getState())).toBe(1);
  });

  it('answers a passphrase prompt (or declines it) and keeps neither the prompt nor the passphrase', async () => {
    const requests = fakeBackend(() => ({ answered: true }));
    useNodes.setState({ passphrases: [passphrase('k1', 'vault'), passphrase('k2', 'safe')] });
    expect(await useNodes.getState().answerPassphrase('k1', 'lab-secret')).toBe(true);
    expect(await useNodes.getState().answerPassphrase('k2', null)).toBe(true);
    expect(requests).toEqual([
      { command: 'nodes.answerPassphrase', payload: { id: 'k1', passphrase: 'lab-secret' } },
      { command: 'nodes.answerPassphrase', payload: { id: 'k2', passphrase: null } },
    ]);
    expect(useNodes.getState().passphrases).toEqual([]);
    expect(JSON.stringify(useNodes.getState())).not.toContain('lab-secret');
  });

  it('keeps a passphrase prompt when the answer could not be sent, and says why', async () => {
    fakeBackend(() => {
      throw new BackendError('disconnected', 'the backend is gone');
    });
    useNodes.setState({ passphrases: [passphrase('k1', 'vault')] });
    expect(await useNodes.getState().answerPassphrase('k1', 'typed-secret')).toBe(false);
    expect(useNodes.getState().passphrases).toHaveLength(1);
    expect(useNodes.getState().error).toBe('Could not answer the passphrase prompt: the backend is gone');
    expect(JSON.stringify(useNodes.getState())).not.toContain('typed-secret');
  });

  it('drops passphrase prompts answered elsewhere when it reloads on resync', async () => {
    let pending = [passphrase('k1', 'vault'), passphrase('k2', 'safe')];
    fakeBackend((command) => (command === 'nodes.pendingPassphrases' ? pending : []));
    await useNodes.getState().load();
    pending = [passphrase('k2', 'safe')];
    await useNodes.getState().load();
    expect(useNodes.getState().passphrases.map((p) => p.id)).toEqual(['k2']);
  });

  it('reloads on resync: nodes gone meanwhile leave the selection and the detail', async () => {
    let list = [status('a'), status('b')];
    fakeBackend((command) => (command === 'nodes.list' ? list : []));
    await useNodes.getState().load();
    useNodes.setState({ selected: ['a', 'b'], open: 'a' });
    list = [status('b', { state: 'timeout' })];
    await useNodes.getState().load();
    expect(useNodes.getState()).toMatchObject({ selected: ['b'], open: null, statuses: { b: { state: 'timeout' } } });
  });

  it('saves a rename in place of the old name, and reports a refusal with its field', async () => {
    fakeBackend((command, payload) => {
      const { node } = payload as { node: NodeStatus['spec'] };
      if (node.name === 'taken') throw new BackendError('bad_request', 'a node named taken is in the inventory already', 'name');
      return status(node.name, { state: 'unknown' });
    });
    useNodes.setState({ statuses: { old: status('old') }, selected: ['old'], open: 'old' });
    expect(await useNodes.getState().save(status('new').spec, 'old')).toEqual({ ok: true });
    expect(useNodes.getState()).toMatchObject({ selected: ['new'], open: 'new' });
    expect(Object.keys(useNodes.getState().statuses)).toEqual(['new']);
    expect(await useNodes.getState().save(status('taken').spec)).toEqual({ ok: false, message: 'a node named taken is in the inventory already', field: 'name' });
  });

  it('a filter that hides the open node closes its detail; checks stay, acted on only in view', () => {
    useNodes.setState({ statuses: { web1: status('web1'), db1: status('db1', { spec: { ...status('db1').spec, labels: ['db'] } }) }, selected: ['web1', 'db1'], open: 'web1' });
    useNodes.getState().setFilter('web');
    expect(useNodes.getState().open).toBe('web1');
    useNodes.getState().setFilter('db');
    expect(useNodes.getState()).toMatchObject({ filter: 'db', open: null, selected: ['web1', 'db1'] });
    // Clearing the filter does not bring the detail back: it was closed, not hidden.
    useNodes.getState().setFilter('');
    expect(useNodes.getState().open).toBeNull();
  });

  it('a node whose new state the filter no longer shows closes its detail', () => {
    useNodes.setState({ statuses: { a: status('a', { state: 'unreachable' }) }, filter: 'unreach', open: 'a' });
    event({ topic: 'nodes.status', payload: status('a', { state: 'unreachable', latencyMs: null }) });
    expect(useNodes.getState().open).toBe('a');
    event({ topic: 'nodes.status', payload: status('a') });
    expect(useNodes.getState().open).toBeNull();
  });

  it('opening a node the filter hides (a link, back) clears the filter, so its row shows', () => {
    useNodes.setState({ statuses: { a: status('a'), b: status('b', { state: 'timeout' }) }, filter: 'timeout' });
    useNodes.getState().openNode('b');
    expect(useNodes.getState()).toMatchObject({ open: 'b', filter: 'timeout' });
    useNodes.getState().openNode('a');
    expect(useNodes.getState()).toMatchObject({ open: 'a', filter: '' });
    useNodes.getState().openNode(null);
    expect(useNodes.getState()).toMatchObject({ open: null, filter: '' });
  });

  it('keeps the table\'s sort: a header click sorts by it, a second one turns it around', () => {
    expect(useNodes.getState().sort).toEqual({ key: 'name', dir: 'asc' });
    useNodes.getState().sortBy('state');
    expect(useNodes.getState().sort).toEqual({ key: 'state', dir: 'asc' });
    useNodes.getState().sortBy('state');
    expect(useNodes.getState().sort).toEqual({ key: 'state', dir: 'desc' });
  });

  it('removes nodes and polls, merging what the poll read', async () => {
    fakeBackend((command) => (command === 'nodes.remove' ? { removed: ['a'] } : [status('b', { latencyMs: 9 })]));
    useNodes.setState({ statuses: { a: status('a'), b: status('b') }, selected: ['a'] });
    expect(await useNodes.getState().remove(['a'])).toBe(true);
    await useNodes.getState().poll();
    expect(useNodes.getState()).toMatchObject({ selected: [], polling: false, statuses: { b: { latencyMs: 9 } } });
    expect(useNodes.getState().statuses.a).toBeUndefined();
  });
});
