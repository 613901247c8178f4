import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SlipwayError, type HostKeyPrompt, type NodeSpec, type NodeState, type NodeStatus, type PassphrasePrompt } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';
import { pollHealth } from './health-poll.js';
import { loadInventory, saveInventory } from './inventory-file.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { unlockKey } from './key-unlock.js';
import { privateKeyPath } from './node-credentials.js';
import { SessionSecretStore, type SecretStore } from './secret-store.js';
import { NodePool } from './node-pool.js';
import { importSshConfig } from './ssh-config-import.js';
import { readSshConfig } from './ssh-config-file.js';
import { SshError, type HostKeyQuestion, type PtyOptions } from './ssh-connection.js';
import type { StreamHandlers } from './stream-exec.js';

export interface NodeServiceDeps {
  bus: EventBus;
  inventoryPath: string;
  userKnownHosts: string | null;
  ownKnownHosts: string;
  pollMs: number;
  pollTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** No operator to ask (the CLI): an unknown host key is refused at once, with how to accept it. */
  interactive: boolean;
  agent?: string;
  /** Where unlocked passphrases are kept; memory for the session unless the desktop gives the OS keyring. */
  secrets?: SecretStore;
}

const failureState: Record<SshError['kind'], NodeState> = {
  unreachable: 'unreachable',
  timeout: 'timeout',
  'auth-failed': 'auth-failed',
  'host-key-rejected': 'host-key-unknown',
  'host-key-changed': 'host-key-changed',
};

export interface ExecOutcome {
  node: string;
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  error: string | null;
  ms: number;
}

export function createNodeService(deps: NodeServiceDeps) {
  const { bus } = deps;
  // A damaged inventory file must not take builds or the console down: node commands say what is wrong instead.
  let inventory: NodeSpec[] = [];
  let damaged: string | null = null;
  try {
    inventory = loadInventory(deps.inventoryPath);
  } catch (error) {
    damaged = (error as Error).message;
  }
  const usable = () => {
    if (damaged) throw new SlipwayError('failed', `the node inventory cannot be read: ${damaged}`, 'inventory');
  };
  const statuses = new Map<string, NodeStatus>();
  const prompts = new Map<string, { prompt: HostKeyPrompt; answer: (accept: boolean) => void }>();
  const secrets = deps.secrets ?? new SessionSecretStore();
  const passphrasePrompts = new Map<string, { prompt: PassphrasePrompt; answer: (passphrase: string | null) => void }>();
  /** One question per key, however many nodes use it. */
  const asking = new Map<string, { answer: Promise<string | null>; settled: boolean }>();
  /** Answered questions are forgotten (an unanswered one stays: its prompt is still on screen). */
  const forgetAnswered = () => {
    for (const [keyPath, entry] of asking) if (entry.settled) asking.delete(keyPath);
  };
  /**
   * Poll rounds running: within a round, one answer serves every node that uses
   * the key, even one whose connection asks only after the answer came (a
   * loaded machine): the operator is asked once per key per round.
   */
  let rounds = 0;
  function round(specs: readonly NodeSpec[], timeoutMs?: number): Promise<NodeStatus[]> {
    rounds += 1;
    return Promise.all(specs.map((spec) => poll(spec, timeoutMs))).finally(() => {
      rounds -= 1;
      if (rounds === 0) forgetAnswered();
    });
  }
  /** Keys whose passphrase the operator declined: not asked again until a node is polled by hand. */
  const declined = new Set<string>();
  const polling = new Map<string, Promise<NodeStatus>>();
  let timer: NodeJS.Timeout | null = null;

  const fresh = (spec: NodeSpec): NodeStatus => ({ spec, state: 'unknown', lastSeen: null, latencyMs: null, facts: null, errors: [] });
  const statusOf = (spec: NodeSpec) => statuses.get(spec.name) ?? fresh(spec);
  function publish(status: NodeStatus): NodeStatus {
    statuses.set(status.spec.name, status);
    bus.publish('nodes.status', status);
    return status;
  }
  for (const spec of inventory) statuses.set(spec.name, fresh(spec));

  async function askHostKey(question: HostKeyQuestion): Promise<boolean> {
    const current = inventory.find((n) => n.name === question.node);
    if (current) publish({ ...statusOf(current), state: 'host-key-unknown' });
    if (!deps.interactive) return false;
    const prompt: HostKeyPrompt = { id: randomUUID(), ...question };
    return new Promise((resolve) => {
      prompts.set(prompt.id, { prompt, answer: resolve });
      bus.publish('nodes.hostKeyPrompt', prompt);
    });
  }

  function askPassphrase(node: string, keyPath: string): Promise<string | null> {
    const kept = secrets.get(keyPath);
    if (kept !== undefined) return Promise.resolve(kept);
    if (!deps.interactive || declined.has(keyPath)) return Promise.resolve(null);
    let entry = asking.get(keyPath);
    if (!entry) {
      const prompt: PassphrasePrompt = { id: randomUUID(), node, keyPath, keptIn: secrets.keptIn };
      const created: { answer: Promise<string | null>; settled: boolean } = {
        answer: new Promise<string | null>((resolve) => {
          passphrasePrompts.set(prompt.id, { prompt, answer: resolve });
          bus.publish('nodes.passphrasePrompt', prompt);
        }).finally(() => {
          created.settled = true;
          // Outside a round (a connection for an application, a deploy) the next attempt asks again.
          if (rounds === 0) forgetAnswered();
        }),
        settled: false,
      };
      entry = created;
      asking.set(keyPath, entry);
    }
    return entry.answer;
  }

  async function credentialsFor(node: NodeSpec): Promise<{ privateKey?: Buffer; passphrase?: string }> {
    const keyPath = privateKeyPath(node);
    if (!keyPath) return {};
    try {
      const unlocked = await unlockKey(keyPath, () => askPassphrase(node.name, keyPath));
      if (unlocked.passphrase !== undefined) secrets.set(keyPath, unlocked.passphrase);
      return unlocked;
    } catch (error) {
      // A kept passphrase that no longer fits is forgotten, so the next attempt asks.
      secrets.delete(keyPath);
      if (!deps.interactive && error instanceof SshError && /no passphrase/.test(error.message)) {
        throw new SshError('auth-failed', `${error.message}: load it into ssh-agent, or unlock it in the console`);
      }
      throw error;
    }
  }

  /** A jump is an inventory node by name, or user@host:port as in ProxyJump. */
  function resolveJump(jump: string): NodeSpec {
    const known = inventory.find((n) => n.name === jump);
    if (known) return known;
    const match = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(jump);
    if (!match) throw new SshError('unreachable', `cannot read the jump host "${jump}"`);
    const host = match[2]!.replace(/^\[|\]$/g, '');
    return { name: `jump:${jump}`, host, port: Number(match[3] ?? 22), user: match[1] ?? 'root', identity: null, jump: null, labels: [] };
  }

  const pool = new NodePool({
    resolveJump,
    connection: {
      trust: new KnownHostsStore(deps.userKnownHosts, deps.ownKnownHosts),
      askHostKey,
      readyTimeoutMs: deps.connectTimeoutMs ?? 8_000,
      ...(deps.agent ? { agent: deps.agent } : {}),
      credentialsFor,
    },
  });

  async function pollOne(spec: NodeSpec, timeoutMs = deps.pollTimeoutMs ?? 10_000): Promise<NodeStatus> {
    const started = Date.now();
    try {
      const { facts, probe } = await pollHealth(pool, spec, timeoutMs);
      return publish({ ...statusOf(spec), spec, state: 'reachable', lastSeen: new Date().toISOString(), latencyMs: Date.now() - started, facts, probe });
    } catch (error) {
      const state: NodeState = error instanceof SshError ? failureState[error.kind] : 'unreachable';
      const message = error instanceof SshError && error.kind === 'host-key-rejected' && !deps.interactive
        ? 'unknown host key: accept it in the console (slipway start), then poll again'
        : (error as Error).message;
      const previous = statusOf(spec);
      const errors = [{ at: new Date().toISOString(), message }, ...previous.errors].slice(0, 5);
      return publish({ ...previous, spec, state, errors });
    }
  }

  /** One poll per node at a time: a slow node is not polled twice over. */
  function poll(spec: NodeSpec, timeoutMs?: number): Promise<NodeStatus> {
    let running = polling.get(spec.name);
    if (!running) {
      running = pollOne(spec, timeoutMs).finally(() => polling.delete(spec.name));
      polling.set(spec.name, running);
    }
    return running;
  }

  function named(names?: string[]): NodeSpec[] {
    if (!names) return inventory;
    const unknown = names.filter((name) => !inventory.some((n) => n.name === name));
    if (unknown.length > 0) throw new SlipwayError('bad_request', `no node named ${unknown.join(', ')}`, 'names');
    return inventory.filter((n) => names.includes(n.name));
  }

  function save(next: NodeSpec[]): void {
    saveInventory(deps.inventoryPath, next);
    inventory = next;
  }

  return {
    list: () => (usable(), inventory.map(statusOf)),
    /** `timeoutMs`: per node, connecting included (the CLI's --timeout); the service's own otherwise. */
    poll(names?: string[], timeoutMs?: number) {
      usable();
      // Polling by hand is the operator asking again: no backoff, and declined passphrases may be asked for once more.
      declined.clear();
      const specs = named(names);
      for (const spec of specs) pool.retryNow(spec.name);
      return round(specs, timeoutMs);
    },
    pendingHostKeys: () => [...prompts.values()].map((p) => p.prompt),
    pendingPassphrases: () => [...passphrasePrompts.values()].map((p) => p.prompt),

    answerPassphrase(id: string, passphrase: string | null): boolean {
      const pending = passphrasePrompts.get(id);
      if (!pending) return false;
      passphrasePrompts.delete(id);
      if (passphrase === null) declined.add(pending.prompt.keyPath);
      pending.answer(passphrase);
      bus.publish('nodes.passphraseResolved', { id });
      return true;
    },

    /** The operator's command on every node (or these) at once, by each node's login shell as ssh runs it; one result per node, failures included. */
    async execAll(command: string, names?: string[], timeoutMs = 30_000): Promise<ExecOutcome[]> {
      usable();
      return Promise.all(
        named(names).map(async (spec): Promise<ExecOutcome> => {
          const started = Date.now();
          try {
            const result = await pool.execInLoginShell(spec, command, { timeoutMs });
            return { node: spec.name, ok: result.code === 0, code: result.code, stdout: result.stdout, stderr: result.stderr, error: null, ms: Date.now() - started };
          } catch (error) {
            return { node: spec.name, ok: false, code: null, stdout: '', stderr: '', error: (error as Error).message, ms: Date.now() - started };
          }
        }),
      );
    },

    /** One inventory node's pooled connection, for services that work on nodes (deploys, applications). */
    access(name: string) {
      usable();
      const spec = inventory.find((node) => node.name === name);
      if (!spec) throw new SlipwayError('bad_request', `no node named ${name} in the inventory`, 'node');
      return {
        spec,
        exec: (command: string, options: { timeoutMs?: number; onData?: (stream: 'out' | 'err', chunk: string) => void } = {}) => pool.exec(spec, command, options),
        upload: (from: string, to: string, onProgress?: (done: number, total: number) => void) => pool.transfer(spec, 'upload', from, to, onProgress),
        download: (from: string, to: string, onProgress?: (done: number, total: number) => void) => pool.transfer(spec, 'download', from, to, onProgress),
        /** This node's file appended to a local partial file from where it stopped. */
        resumeDownload: (from: string, to: string, onProgress?: (done: number) => void) => pool.resumeDownload(spec, from, to, onProgress),
        /** This node's file into another inventory node's, over both pooled connections. */
        copyTo: (target: string, fromPath: string, toPath: string) => {
          const other = inventory.find((node) => node.name === target);
          if (!other) throw new SlipwayError('bad_request', `no node named ${target} in the inventory`, 'node');
          return pool.copyBetween(spec, fromPath, other, toPath);
        },
        /** Skip the backoff: the caller is retrying on purpose. */
        retryNow: () => pool.retryNow(name),
        /** An interactive terminal (login shell on a pty) over the pooled connection. */
        openPty: (options: PtyOptions & { timeoutMs?: number }) => pool.openPty(spec, options),
        /** A command kept running and read line by line (a watcher) over the pooled connection. */
        openStream: (command: string, handlers: StreamHandlers, options: { timeoutMs?: number } = {}) => pool.openStream(spec, command, handlers, options),
        /** A command on its own exec channel, stdin open for the caller (a remote helper speaking JSON lines). */
        openExec: (command: string, options: { timeoutMs?: number } = {}) => pool.openExec(spec, command, options),
      };
    },

    /** The inventory as it is now (for services that select nodes by label). */
    specs: (): NodeSpec[] => {
      usable();
      return [...inventory];
    },

    answerHostKey(id: string, accept: boolean): boolean {
      const pending = prompts.get(id);
      if (!pending) return false;
      prompts.delete(id);
      pending.answer(accept);
      bus.publish('nodes.hostKeyResolved', { id, accepted: accept });
      return true;
    },

    saveNode(node: NodeSpec, previousName?: string): NodeStatus {
      usable();
      const replaced = previousName ?? node.name;
      if (node.name !== replaced && inventory.some((n) => n.name === node.name)) throw new SlipwayError('bad_request', `a node named ${node.name} exists already`, 'name');
      const index = inventory.findIndex((n) => n.name === replaced);
      if (previousName !== undefined && index < 0) throw new SlipwayError('bad_request', `no node named ${previousName}`, 'previousName');
      const next = [...inventory];
      if (index >= 0) next[index] = node;
      else next.push(node);
      save(next);
      if (node.name !== replaced) {
        statuses.delete(replaced);
        pool.forget(replaced);
        bus.publish('nodes.removed', { names: [replaced] });
      }
      pool.forget(node.name);
      const status = publish(fresh(node));
      void poll(node);
      return status;
    },

    removeNodes(names: string[]): string[] {
      usable();
      const removed = inventory.filter((n) => names.includes(n.name)).map((n) => n.name);
      save(inventory.filter((n) => !removed.includes(n.name)));
      for (const name of removed) {
        statuses.delete(name);
        pool.forget(name);
      }
      if (removed.length > 0) bus.publish('nodes.removed', { names: removed });
      return removed;
    },

    async importSshConfig(path: string | undefined, apply: boolean) {
      usable();
      const file = path ?? join(homedir(), '.ssh', 'config');
      const text = await readSshConfig(file);
      const found = importSshConfig(text);
      const existing = found.nodes.filter((n) => inventory.some((i) => i.name === n.name)).map((n) => n.name);
      const fresh = found.nodes.filter((n) => !existing.includes(n.name));
      if (apply && fresh.length > 0) {
        save([...inventory, ...fresh]);
        for (const node of fresh) publish(statusOf(node));
      }
      return { path: file, nodes: found.nodes, skipped: found.skipped, existing, added: apply ? fresh.map((n) => n.name) : [] };
    },

    start(): void {
      if (damaged) return;
      timer ??= setInterval(() => void round(inventory), deps.pollMs);
      timer.unref();
      void round(inventory);
    },

    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      for (const { answer } of prompts.values()) answer(false);
      prompts.clear();
      for (const { answer } of passphrasePrompts.values()) answer(null);
      passphrasePrompts.clear();
      await pool.close();
    },
  };
}

export type NodeService = ReturnType<typeof createNodeService>;
