import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeSpec, type EventEnvelope, type HostKeyPrompt, type NodeStatus, type PassphrasePrompt } from '../../shared/contract/index.js';
import { EventBus } from '../backend/event-bus.js';
import { createMockNodes, type MockNodes } from './mock-nodes.js';

function harness(empty = false) {
  const bus = new EventBus();
  const events: EventEnvelope[] = [];
  bus.subscribe((event) => events.push(event));
  const nodes = createMockNodes({ bus, pollMs: 60_000, roundTripMs: 5, empty });
  open = nodes;
  const of = <P>(topic: string) => events.filter((e) => e.topic === topic).map((e) => e.payload as P);
  const statusOf = async (name: string) => (await nodes.handlers['nodes.list']({})).find((s) => s.spec.name === name);
  return { nodes, h: nodes.handlers, events, of, statusOf };
}

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

let open: MockNodes | null = null;
afterEach(async () => {
  await open?.close();
  open = null;
});

describe('mock nodes', () => {
  it('lists a dozen nodes after a first round: most reachable with facts, the scripted failures with their errors', async () => {
    const { h, of } = harness();
    const list = await h['nodes.list']({});
    expect(list.length).toBeGreaterThanOrEqual(10);
    const states = Object.fromEntries(list.map((s) => [s.spec.name, s.state]));
    expect(states).toMatchObject({ 'rack1-n01': 'reachable', 'rack3-n07': 'unreachable', 'rack2-n03': 'auth-failed', 'rack4-n01': 'host-key-unknown', 'bench-01': 'host-key-changed', 'rack5-vault': 'auth-failed' });
    expect(list.filter((s) => s.state === 'reachable').length).toBeGreaterThan(list.length / 2);
    const up = list.find((s) => s.spec.name === 'rack1-n01')!;
    expect(up.facts).toMatchObject({ hostname: 'rack1-n01', osRelease: expect.stringContaining('Debian') });
    expect(up.facts!.memAvailableBytes).toBeLessThan(up.facts!.memTotalBytes);
    expect(up.latencyMs).toBeGreaterThan(0);
    const down = list.find((s) => s.spec.name === 'rack3-n07')!;
    expect(down.errors[0]!.message).toBe('connect ECONNREFUSED 10.0.3.7:22');
    expect(down.lastSeen).not.toBeNull();
    expect(list.find((s) => s.spec.name === 'bench-01')!.errors[0]!.message).toMatch(/^the host key changed: refused/);
    // Only the unknown key asks; the changed one never does.
    const prompts = await h['nodes.pendingHostKeys']({});
    expect(prompts).toEqual([expect.objectContaining({ node: 'rack4-n01', host: '10.0.4.11', port: 22, keyType: 'ssh-ed25519' })]);
    expect(prompts[0]!.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(of<HostKeyPrompt>('nodes.hostKeyPrompt')).toHaveLength(1);
    for (const status of list) expect(NodeSpec.parse(status.spec)).toEqual(status.spec);
  });

  it('publishes only what changed on a poll, and asks for a pending key once', async () => {
    const { h, of } = harness();
    const before = of<NodeStatus>('nodes.status').length;
    const polled = await h['nodes.poll']({});
    const published = of<NodeStatus>('nodes.status').slice(before);
    expect(polled.length).toBe((await h['nodes.list']({})).length);
    expect(published.every((s) => s.state === 'reachable')).toBe(true);
    expect(published.length).toBe(polled.filter((s) => s.state === 'reachable').length);
    expect(of('nodes.hostKeyPrompt')).toHaveLength(1);
    expect((await h['nodes.poll']({ names: ['rack3-n07'] })).map((s) => s.spec.name)).toEqual(['rack3-n07']);
    await expect(h['nodes.poll']({ names: ['nope'] })).rejects.toMatchObject({ code: 'bad_request', field: 'names' });
  });

  it('an accepted key makes the node reachable on the next poll', async () => {
    const { h, of, statusOf } = harness();
    const [prompt] = await h['nodes.pendingHostKeys']({});
    expect(await h['nodes.answerHostKey']({ id: prompt!.id, accept: true })).toEqual({ answered: true });
    expect(of('nodes.hostKeyResolved')).toEqual([{ id: prompt!.id, accepted: true }]);
    await until(async () => (await statusOf('rack4-n01'))?.state === 'reachable');
    expect((await statusOf('rack4-n01'))!.facts?.hostname).toBe('rack4-n01');
    expect(await h['nodes.pendingHostKeys']({})).toEqual([]);
    expect(await h['nodes.answerHostKey']({ id: prompt!.id, accept: true })).toEqual({ answered: false });
  });

  it('a rejected key keeps the node host-key-unknown with the error, and is not asked again', async () => {
    const { h, of, statusOf } = harness();
    const [prompt] = await h['nodes.pendingHostKeys']({});
    await h['nodes.answerHostKey']({ id: prompt!.id, accept: false });
    const status = await statusOf('rack4-n01');
    expect(status).toMatchObject({ state: 'host-key-unknown', facts: null });
    expect(status!.errors[0]!.message).toBe('host key rejected by the operator');
    await h['nodes.poll']({});
    expect(of('nodes.hostKeyPrompt')).toHaveLength(1);
    expect(await h['nodes.pendingHostKeys']({})).toEqual([]);
  });

  it('asks once for the passphrase of an encrypted key, and keeps the node auth-failed meanwhile', async () => {
    const { h, of, statusOf } = harness();
    const vault = (await statusOf('rack5-vault'))!;
    expect(vault).toMatchObject({ state: 'auth-failed', facts: null, spec: { identity: '/home/operator/.ssh/id_vault_ed25519', labels: ['rack=5'] } });
    expect(vault.errors.map((e) => e.message)).toEqual(['the key /home/operator/.ssh/id_vault_ed25519 is encrypted: waiting for its passphrase']);
    const prompts = await h['nodes.pendingPassphrases']({});
    expect(prompts).toEqual([{ id: expect.stringMatching(/^pp-/), node: 'rack5-vault', keyPath: '/home/operator/.ssh/id_vault_ed25519', keptIn: 'session' }]);
    await h['nodes.poll']({});
    await h['nodes.poll']({ names: ['rack5-vault'] });
    expect(of<PassphrasePrompt>('nodes.passphrasePrompt')).toEqual(prompts);
    expect((await statusOf('rack5-vault'))!.errors).toHaveLength(1);
  });

  it('the right passphrase makes the node reachable on the next poll, and is not asked again', async () => {
    const { h, of, statusOf } = harness();
    const [prompt] = await h['nodes.pendingPassphrases']({});
    expect(await h['nodes.answerPassphrase']({ id: prompt!.id, passphrase: 'lab-secret' })).toEqual({ answered: true });
    expect(of('nodes.passphraseResolved')).toEqual([{ id: prompt!.id }]);
    expect(await h['nodes.pendingPassphrases']({})).toEqual([]);
    await until(async () => (await statusOf('rack5-vault'))?.state === 'reachable');
    expect((await statusOf('rack5-vault'))!.facts?.hostname).toBe('rack5-vault');
    await h['nodes.poll']({});
    expect((await statusOf('rack5-vault'))!.state).toBe('reachable');
    expect(of('nodes.passphrasePrompt')).toHaveLength(1);
    expect(await h['nodes.answerPassphrase']({ id: prompt!.id, passphrase: 'lab-secret' })).toEqual({ answered: false });
  });

  it('a wrong passphrase shows as an error, is kept nowhere, and the next poll asks again', async () => {
    const logged = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => vi.spyOn(console, method).mockImplementation(() => undefined));
    try {
      const { h, events, of, statusOf } = harness();
      const [prompt] = await h['nodes.pendingPassphrases']({});
      expect(await h['nodes.answerPassphrase']({ id: prompt!.id, passphrase: 'not-the-secret' })).toEqual({ answered: true });
      const status = (await statusOf('rack5-vault'))!;
      expect(status).toMatchObject({ state: 'auth-failed', facts: null });
      expect(status.errors[0]!.message).toBe('wrong passphrase for /home/operator/.ssh/id_vault_ed25519');
      expect(await h['nodes.pendingPassphrases']({})).toEqual([]);

      await h['nodes.poll']({});
      const [again] = await h['nodes.pendingPassphrases']({});
      expect(again).toMatchObject({ node: 'rack5-vault', keyPath: '/home/operator/.ssh/id_vault_ed25519' });
      expect(again!.id).not.toBe(prompt!.id);
      expect(of('nodes.passphrasePrompt')).toHaveLength(2);
      expect((await statusOf('rack5-vault'))!.errors.map((e) => e.message)).toEqual([
        'the key /home/operator/.ssh/id_vault_ed25519 is encrypted: waiting for its passphrase',
        'wrong passphrase for /home/operator/.ssh/id_vault_ed25519',
        'the key /home/operator/.ssh/id_vault_ed25519 is encrypted: waiting for its passphrase',
      ]);
      await h['nodes.answerPassphrase']({ id: again!.id, passphrase: 'lab-secret' });
      await until(async () => (await statusOf('rack5-vault'))?.state === 'reachable');

      expect(JSON.stringify(events)).not.toContain('not-the-secret');
      expect(JSON.stringify(await h['nodes.list']({}))).not.toContain('not-the-secret');
      for (const spy of logged) expect(JSON.stringify(spy.mock.calls)).not.toContain('not-the-secret');
    } finally {
      for (const spy of logged) spy.mockRestore();
    }
  });

  it('a declined passphrase is not asked again until a poll names the node', async () => {
    const { h, of, statusOf } = harness();
    const [prompt] = await h['nodes.pendingPassphrases']({});
    await h['nodes.answerPassphrase']({ id: prompt!.id, passphrase: null });
    expect(of('nodes.passphraseResolved')).toEqual([{ id: prompt!.id }]);
    const status = (await statusOf('rack5-vault'))!;
    expect(status.state).toBe('auth-failed');
    expect(status.errors[0]!.message).toBe('passphrase not given');
    await h['nodes.poll']({});
    await h['nodes.poll']({ names: ['rack1-n01'] });
    expect(await h['nodes.pendingPassphrases']({})).toEqual([]);
    expect((await statusOf('rack5-vault'))!.errors[0]!.message).toBe('passphrase not given');

    await h['nodes.poll']({ names: ['rack5-vault'] });
    expect(await h['nodes.pendingPassphrases']({})).toEqual([expect.objectContaining({ node: 'rack5-vault' })]);
    expect(of('nodes.passphrasePrompt')).toHaveLength(2);
    expect((await statusOf('rack5-vault'))!.errors[0]!.message).toMatch(/is encrypted: waiting for its passphrase$/);
  });

  it('saves a node (unknown first, then polled), refuses a duplicate name, renames in place', async () => {
    const { h, of, statusOf } = harness();
    const node = NodeSpec.parse({ name: 'rack1-n09', host: '10.0.1.19', labels: ['rack=1'] });
    expect(await h['nodes.save']({ node })).toMatchObject({ state: 'unknown', spec: node });
    await until(async () => (await statusOf('rack1-n09'))?.state === 'reachable');
    expect(of<NodeStatus>('nodes.status').filter((s) => s.spec.name === 'rack1-n09').map((s) => s.state)).toEqual(['unknown', 'reachable']);

    await expect(h['nodes.save']({ node: { ...node, name: 'rack1-n01' } })).rejects.toMatchObject({ code: 'bad_request', field: 'name' });
    await expect(h['nodes.save']({ node: { ...node, jump: 'no-such-gw' }, previousName: 'rack1-n09' })).rejects.toMatchObject({ field: 'jump' });

    const names = (await h['nodes.list']({})).map((s) => s.spec.name);
    await h['nodes.save']({ node: { ...node, name: 'rack1-n10' }, previousName: 'rack1-n09' });
    expect((await h['nodes.list']({})).map((s) => s.spec.name)).toEqual(names.map((n) => (n === 'rack1-n09' ? 'rack1-n10' : n)));
    expect(of('nodes.removed')).toEqual([{ names: ['rack1-n09'] }]);
  });

  it('removes nodes, publishing nodes.removed, and drops a removed node’s pending prompts', async () => {
    const { h, of } = harness();
    expect(await h['nodes.remove']({ names: ['rack4-n01', 'rack1-n02', 'rack5-vault', 'ghost'] })).toEqual({ removed: ['rack4-n01', 'rack1-n02', 'rack5-vault'] });
    expect(of('nodes.removed')).toEqual([{ names: ['rack4-n01', 'rack1-n02', 'rack5-vault'] }]);
    expect(of<{ accepted: boolean }>('nodes.hostKeyResolved')).toEqual([expect.objectContaining({ accepted: false })]);
    expect(of('nodes.passphraseResolved')).toHaveLength(1);
    expect(await h['nodes.pendingHostKeys']({})).toEqual([]);
    expect(await h['nodes.pendingPassphrases']({})).toEqual([]);
    expect((await h['nodes.list']({})).some((s) => s.spec.name === 'rack1-n02')).toBe(false);
  });

  it('previews ~/.ssh/config, then imports only the new nodes', async () => {
    const { h, statusOf } = harness();
    const preview = await h['nodes.importSshConfig']({ apply: false });
    expect(preview.nodes.map((n) => n.name)).toEqual(['lab-gw', 'rack5-n01', 'rack5-n02']);
    expect(preview).toMatchObject({ path: '/home/operator/.ssh/config', existing: ['lab-gw'], added: [] });
    expect(preview.skipped).toEqual([{ host: 'old-switch', reason: expect.stringContaining('port') }]);
    expect(await statusOf('rack5-n01')).toBeUndefined();

    const applied = await h['nodes.importSshConfig']({ apply: true });
    expect(applied.added).toEqual(['rack5-n01', 'rack5-n02']);
    expect((await statusOf('rack5-n01'))!.spec.labels).toEqual(['imported']);
    expect((await h['nodes.importSshConfig']({ apply: true })).added).toEqual([]);
    await expect(h['nodes.importSshConfig']({ path: '/nope/config', apply: false })).rejects.toMatchObject({ code: 'bad_request', field: 'path', message: 'no file at /nope/config' });
  });

  it('an empty lab has no node and no ~/.ssh/config, worded as the real backend words it', async () => {
    const { h } = harness(true);
    expect(await h['nodes.list']({})).toEqual([]);
    await expect(h['nodes.importSshConfig']({ apply: false })).rejects.toMatchObject({ code: 'bad_request', field: 'path', message: 'no file at /home/operator/.ssh/config' });
  });

  it('varies the facts of a reachable node slowly between polls', async () => {
    const { h, statusOf } = harness();
    const first = (await statusOf('rack1-n01'))!;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await h['nodes.poll']({ names: ['rack1-n01'] });
    const second = (await statusOf('rack1-n01'))!;
    expect(second.lastSeen! > first.lastSeen!).toBe(true);
    expect(second.facts!.uptimeSeconds).toBeGreaterThan(first.facts!.uptimeSeconds);
    expect(Math.abs(second.facts!.load[2] - first.facts!.load[2])).toBeLessThan(0.5);
  });
});
