import { randomBytes } from 'node:crypto';
import { nodeCommands, SlipwayError, type HostKeyPrompt, type NodeSpec, type NodeState, type NodeStatus, type PassphrasePrompt } from '../../shared/contract/index.js';
import type { Handlers } from '../backend/backend.js';
import type { EventBus } from '../backend/event-bus.js';
import { sshConfigProblemText } from '../nodes/ssh-config-file.js';
import { answerOf, defaultSshConfigPath, fingerprintOf, isEncryptedKey, opensKey, readFacts, seedNodes, sshConfigEntries } from './mock-node-fleet.js';

/**
 * The mocked node inventory and its health polls (see mock-node-fleet.ts for
 * the lab and how each host answers). Every `pollMs` each node is polled; a
 * status that changed goes out as `nodes.status`. A node whose host key is
 * unknown asks once (`nodes.hostKeyPrompt`) and stays `host-key-unknown`
 * until the operator answers; the other nodes go on meanwhile. A rejected key
 * is not asked again until the node is saved again.
 *
 * A node reached with an encrypted key asks for its passphrase
 * (`nodes.passphrasePrompt`, one prompt per key) and stays `auth-failed`
 * until answered. The right passphrase unlocks the key for the session (only
 * that fact is kept, never the passphrase); a wrong one shows as an error and
 * the next poll asks again; a declined one is not asked again until a poll
 * names the node (or the node is saved again).
 */

type NodeCommand = keyof typeof nodeCommands;
export type NodeHandlers = Pick<Handlers, NodeCommand>;

export interface MockNodesOptions {
  bus: EventBus;
  /** Between two health rounds over every node. */
  pollMs?: number;
  /** How long an explicit poll takes to answer, like a real round trip. */
  roundTripMs?: number;
  /** A lab not set up yet: no node in the inventory and no ~/.ssh/config to import from. */
  empty?: boolean;
}

export interface MockNodes {
  handlers: NodeHandlers;
  /** Starts the periodic health rounds. */
  start(): void;
  close(): Promise<void>;
}

const keptErrors = 5;
const endpoint = (spec: { host: string; port: number }) => `${spec.host}:${spec.port}`;
/** As the real poll: over SFTP, but the gateway (an appliance whose sshd has no sftp subsystem) is read through a shell. */
const probeOf = (spec: NodeSpec): NodeStatus['probe'] =>
  spec.labels.includes('gateway') ? { via: 'exec', reason: 'the node refused the SFTP subsystem (Unable to start subsystem: sftp)' } : { via: 'sftp' };
const unknownStatus = (spec: NodeSpec, lastSeen: string | null = null): NodeStatus => ({ spec, state: 'unknown', lastSeen, latencyMs: null, facts: null, errors: [] });

export function createMockNodes(options: MockNodesOptions): MockNodes {
  const { bus } = options;
  const pollMs = options.pollMs ?? 3_000;
  const roundTripMs = options.roundTripMs ?? 300;
  const epoch = Date.now();
  /** Inventory order: a rename keeps its place. */
  const statuses = new Map<string, NodeStatus>();
  const prompts = new Map<string, HostKeyPrompt>();
  const accepted = new Set<string>();
  const rejected = new Set<string>();
  const passphrasePrompts = new Map<string, PassphrasePrompt>();
  /** Key paths: opened for this session, or declined until a poll names one of their nodes. */
  const unlocked = new Set<string>();
  const declined = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let interval: NodeJS.Timeout | null = null;

  for (const seed of options.empty ? [] : seedNodes) {
    const lastSeen = seed.lastSeenAgoMs === undefined ? null : new Date(epoch - seed.lastSeenAgoMs).toISOString();
    statuses.set(seed.spec.name, unknownStatus(seed.spec, lastSeen));
  }

  function failed(previous: NodeStatus, state: NodeState, message: string, at: number): NodeStatus {
    const errors = previous.errors[0]?.message === message ? previous.errors : [{ at: new Date(at).toISOString(), message }, ...previous.errors].slice(0, keptErrors);
    return { ...previous, state, latencyMs: null, facts: null, errors };
  }

  function promptFor(spec: NodeSpec): HostKeyPrompt {
    const pending = [...prompts.values()].find((p) => p.node === spec.name);
    if (pending) return pending;
    const prompt: HostKeyPrompt = { id: `hk-${randomBytes(4).toString('hex')}`, node: spec.name, host: spec.host, port: spec.port, keyType: 'ssh-ed25519', fingerprint: fingerprintOf(spec.host, spec.port) };
    prompts.set(prompt.id, prompt);
    bus.publish('nodes.hostKeyPrompt', prompt);
    return prompt;
  }

  function passphrasePromptFor(spec: NodeSpec, keyPath: string): PassphrasePrompt {
    const pending = [...passphrasePrompts.values()].find((p) => p.keyPath === keyPath);
    if (pending) return pending;
    const prompt: PassphrasePrompt = { id: `pp-${randomBytes(4).toString('hex')}`, node: spec.name, keyPath, keptIn: 'session' };
    passphrasePrompts.set(prompt.id, prompt);
    bus.publish('nodes.passphrasePrompt', prompt);
    return prompt;
  }

  function dropPrompts(name: string): void {
    for (const prompt of [...prompts.values()].filter((p) => p.node === name)) {
      prompts.delete(prompt.id);
      bus.publish('nodes.hostKeyResolved', { id: prompt.id, accepted: false });
    }
    for (const prompt of [...passphrasePrompts.values()].filter((p) => p.node === name)) {
      passphrasePrompts.delete(prompt.id);
      bus.publish('nodes.passphraseResolved', { id: prompt.id });
    }
  }

  /** Authentication, once the host key is trusted: an encrypted key needs its passphrase first. */
  function authFailure(previous: NodeStatus, at: number): NodeStatus | null {
    const { identity } = previous.spec;
    if (!isEncryptedKey(identity) || unlocked.has(identity)) return null;
    if (declined.has(identity)) return failed(previous, 'auth-failed', 'passphrase not given', at);
    passphrasePromptFor(previous.spec, identity);
    return failed(previous, 'auth-failed', `the key ${identity} is encrypted: waiting for its passphrase`, at);
  }

  const usingKey = (keyPath: string) => [...statuses.values()].filter((s) => s.spec.identity === keyPath).map((s) => s.spec.name);

  function pollOne(previous: NodeStatus, at: number): NodeStatus {
    const { spec } = previous;
    const where = endpoint(spec);
    switch (answerOf(spec.host)) {
      case 'refused':
        return failed(previous, 'unreachable', `connect ECONNREFUSED ${where}`, at);
      case 'auth-failed':
        return failed(previous, 'auth-failed', `${spec.user}@${where}: All configured authentication methods failed (publickey)`, at);
      case 'key-changed':
        return failed(previous, 'host-key-changed', `the host key changed: refused to connect (known_hosts line 14 holds another ssh-ed25519 key for [${spec.host}]:${spec.port})`, at);
      case 'key-unknown':
        if (accepted.has(endpoint(spec))) break;
        if (rejected.has(endpoint(spec))) return failed(previous, 'host-key-unknown', 'host key rejected by the operator', at);
        return failed(previous, 'host-key-unknown', `the host key of ${where} is not known yet (ssh-ed25519 ${promptFor(spec).fingerprint}): waiting for the operator`, at);
      case 'up':
        break;
    }
    const refused = authFailure(previous, at);
    if (refused) return refused;
    const { facts, latencyMs } = readFacts(spec, at, epoch);
    return { ...previous, state: 'reachable', lastSeen: new Date(at).toISOString(), latencyMs, facts, probe: probeOf(spec) };
  }

  function publish(status: NodeStatus): void {
    const previous = statuses.get(status.spec.name);
    statuses.set(status.spec.name, status);
    if (JSON.stringify(previous) !== JSON.stringify(status)) bus.publish('nodes.status', status);
  }

  /** One health round over these nodes (all when none are named). */
  function pollRound(names?: readonly string[]): NodeStatus[] {
    const at = Date.now();
    const polled = [...statuses.values()].filter((s) => !names || names.includes(s.spec.name));
    return polled.map((previous) => {
      const next = pollOne(previous, at);
      publish(next);
      return next;
    });
  }

  function later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  }

  /** A node joins (or comes back): `unknown` at once, polled one round trip later. */
  function enroll(status: NodeStatus): void {
    statuses.set(status.spec.name, status);
    bus.publish('nodes.status', status);
    later(roundTripMs, () => {
      if (statuses.has(status.spec.name)) pollRound([status.spec.name]);
    });
  }

  function checkJump(node: NodeSpec): void {
    if (!node.jump || /[@:]/.test(node.jump)) return;
    if (node.jump === node.name) throw new SlipwayError('bad_request', 'a node cannot jump through itself', 'jump');
    if (!statuses.has(node.jump)) throw new SlipwayError('bad_request', `no node named ${node.jump} in the inventory to jump through`, 'jump');
  }

  // The first round runs at once: the first list is complete, and rack 4's key is asked for.
  pollRound();

  const handlers: NodeHandlers = {
    'nodes.list': async () => [...statuses.values()],
    'nodes.save': async ({ node, previousName }) => {
      const previous = previousName === undefined ? undefined : statuses.get(previousName);
      if (previousName !== undefined && !previous) throw new SlipwayError('bad_request', `no node named ${previousName}`, 'previousName');
      if (node.name !== previousName && statuses.has(node.name)) throw new SlipwayError('bad_request', `a node named ${node.name} is in the inventory already`, 'name');
      checkJump(node);
      const status = unknownStatus(node);
      if (previousName !== undefined) {
        dropPrompts(previousName);
        rejected.delete(endpoint(previous!.spec));
        // Rebuilt in order, so a renamed node keeps its place.
        const entries = [...statuses.entries()].map(([name, s]): [string, NodeStatus] => (name === previousName ? [node.name, status] : [name, s]));
        statuses.clear();
        for (const [name, s] of entries) statuses.set(name, s);
        if (node.name !== previousName) bus.publish('nodes.removed', { names: [previousName] });
      }
      rejected.delete(endpoint(node));
      if (node.identity !== null) declined.delete(node.identity);
      enroll(status);
      return status;
    },
    'nodes.remove': async ({ names }) => {
      const removed = names.filter((name) => statuses.has(name));
      for (const name of removed) {
        dropPrompts(name);
        statuses.delete(name);
      }
      if (removed.length > 0) bus.publish('nodes.removed', { names: removed });
      return { removed };
    },
    'nodes.importSshConfig': async ({ path, apply }) => {
      const file = path ?? defaultSshConfigPath;
      // Worded as the real backend words a missing file (ssh-config-file.ts).
      if (options.empty || (file !== defaultSshConfigPath && file !== '~/.ssh/config')) {
        throw new SlipwayError('bad_request', sshConfigProblemText(file, { kind: 'missing' }), 'path');
      }
      const { nodes, skipped } = sshConfigEntries();
      const existing = nodes.filter((n) => statuses.has(n.name)).map((n) => n.name);
      const fresh = apply ? nodes.filter((n) => !existing.includes(n.name)) : [];
      for (const node of fresh) enroll(unknownStatus(node));
      return { path: defaultSshConfigPath, nodes, skipped, existing, added: fresh.map((n) => n.name) };
    },
    'nodes.poll': async ({ names }) => {
      const missing = names?.find((name) => !statuses.has(name));
      if (missing !== undefined) throw new SlipwayError('bad_request', `no node named ${missing}`, 'names');
      await new Promise((resolve) => later(roundTripMs, () => resolve(undefined)));
      // Naming a node asks again for a passphrase the operator declined.
      for (const name of names ?? []) {
        const identity = statuses.get(name)?.spec.identity ?? null;
        if (identity !== null) declined.delete(identity);
      }
      return pollRound(names);
    },
    'nodes.pendingHostKeys': async () => [...prompts.values()],
    'nodes.answerHostKey': async ({ id, accept }) => {
      const prompt = prompts.get(id);
      if (!prompt) return { answered: false };
      prompts.delete(id);
      const key = endpoint(prompt);
      if (accept) accepted.add(key);
      else rejected.add(key);
      bus.publish('nodes.hostKeyResolved', { id, accepted: accept });
      // A rejection shows at once; an accepted key is used by the next poll, one round trip away.
      if (!accept) pollRound([prompt.node]);
      else later(roundTripMs, () => {
        if (statuses.has(prompt.node)) pollRound([prompt.node]);
      });
      return { answered: true };
    },
    'nodes.pendingPassphrases': async () => [...passphrasePrompts.values()],
    'nodes.answerPassphrase': async ({ id, passphrase }) => {
      const prompt = passphrasePrompts.get(id);
      if (!prompt) return { answered: false };
      passphrasePrompts.delete(id);
      bus.publish('nodes.passphraseResolved', { id });
      const { keyPath } = prompt;
      if (passphrase === null) {
        declined.add(keyPath);
        pollRound(usingKey(keyPath));
      } else if (opensKey(keyPath, passphrase)) {
        // The key is open for the session: the next poll, one round trip away, gets in.
        unlocked.add(keyPath);
        later(roundTripMs, () => pollRound(usingKey(keyPath)));
      } else {
        // Shown at once; the next poll asks again. The wrong passphrase goes no further than this comparison.
        const at = Date.now();
        for (const name of usingKey(keyPath)) {
          const status = statuses.get(name)!;
          if (status.state === 'auth-failed') publish(failed(status, 'auth-failed', `wrong passphrase for ${keyPath}`, at));
        }
      }
      return { answered: true };
    },
  };

  return {
    handlers,
    start() {
      interval ??= setInterval(() => pollRound(), pollMs);
    },
    async close() {
      if (interval) clearInterval(interval);
      interval = null;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
