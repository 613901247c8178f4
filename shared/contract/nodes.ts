import { z } from 'zod';
import { command } from './define.js';
import { MacAddress, NetbootChoice } from './netboot.js';
import { NodeName } from './node-name.js';

/** A node of the lab inventory. */
const label = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*(=[A-Za-z0-9._/-]*)?$/, 'must be a label such as rack=3 or gpu');

export const NodeSpec = z.object({
  name: NodeName,
  host: z.string().regex(/^[A-Za-z0-9.:%[\]-]+$/, 'must be a host name or an IP address'),
  port: z.number().int().min(1).max(65_535).default(22),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'must be a user name').default('root'),
  /** Private key file; empty means the agent and the default keys. */
  identity: z.string().refine((p) => p.startsWith('/'), 'must be an absolute path').nullable().default(null),
  /** Another node of the inventory, or user@host:port, to jump through (ProxyJump). */
  jump: z.string().regex(/^[A-Za-z0-9@._:[\]-]+$/, 'must be a node name or user@host:port').nullable().default(null),
  labels: z.array(label).default([]),
  /** The NIC it PXE-boots from: its pxelinux config is `pxelinux.cfg/01-<mac>`. */
  mac: MacAddress.nullish(),
  /** What it netboots: arch/subarch/release/purpose of the TFTP tree; none boots its local disk. */
  netboot: NetbootChoice.nullish(),
});
export type NodeSpec = z.output<typeof NodeSpec>;
export type NodeSpecInput = z.input<typeof NodeSpec>;

export const Inventory = z
  .object({ nodes: z.array(NodeSpec).default([]) })
  .superRefine((inventory, ctx) => {
    const seen = new Set<string>();
    const macs = new Map<string, string>();
    inventory.nodes.forEach((node, index) => {
      if (seen.has(node.name)) ctx.addIssue({ code: 'custom', path: ['nodes', index, 'name'], message: `duplicate node name ${node.name}` });
      seen.add(node.name);
      // One pxelinux config per MAC: two nodes with one MAC would have one of them boot the other's choice.
      if (node.mac && macs.has(node.mac)) ctx.addIssue({ code: 'custom', path: ['nodes', index, 'mac'], message: `duplicate mac ${node.mac} (also ${macs.get(node.mac)})` });
      if (node.mac) macs.set(node.mac, node.name);
    });
  });
export type Inventory = z.output<typeof Inventory>;

export const NodeState = z.enum(['unknown', 'reachable', 'unreachable', 'timeout', 'auth-failed', 'host-key-unknown', 'host-key-changed', 'blacklisted']);
export type NodeState = z.infer<typeof NodeState>;

/** What one health round trip reads from a node. */
export const NodeFacts = z.object({
  hostname: z.string(),
  osRelease: z.string(),
  kernel: z.string(),
  cpus: z.number().int().nonnegative(),
  uptimeSeconds: z.number().nonnegative(),
  load: z.tuple([z.number(), z.number(), z.number()]),
  memTotalBytes: z.number().nonnegative(),
  memAvailableBytes: z.number().nonnegative(),
  rootDiskTotalBytes: z.number().nonnegative(),
  rootDiskUsedBytes: z.number().nonnegative(),
});
export type NodeFacts = z.infer<typeof NodeFacts>;

export const NodeStatus = z.object({
  spec: NodeSpec,
  state: NodeState,
  /** Last time the node answered a health poll. */
  lastSeen: z.iso.datetime().nullable(),
  /** Round-trip time of the last health poll, ms. */
  latencyMs: z.number().nonnegative().nullable(),
  facts: NodeFacts.nullable(),
  /**
   * How the last health poll read the node: over its resident SFTP session (no
   * process started on the node), or through a shell where SFTP is refused (why).
   */
  probe: z.object({ via: z.enum(['sftp', 'exec']), reason: z.string().optional() }).optional(),
  /** Newest first, at most a handful. */
  errors: z.array(z.object({ at: z.iso.datetime(), message: z.string() })),
});
export type NodeStatus = z.infer<typeof NodeStatus>;
export type NodeProbe = NonNullable<NodeStatus['probe']>;

export const HostKeyPrompt = z.object({
  id: z.string(),
  node: z.string(),
  host: z.string(),
  port: z.number().int(),
  keyType: z.string(),
  fingerprint: z.string(),
});
export type HostKeyPrompt = z.infer<typeof HostKeyPrompt>;

/** An encrypted private key waits for its passphrase (asked once per session, never written in clear). */
export const PassphrasePrompt = z.object({
  id: z.string(),
  node: z.string(),
  keyPath: z.string(),
  /** Where an answer is kept: for this session only, or encrypted by the OS keyring (desktop). */
  keptIn: z.enum(['session', 'os-keyring']),
});
export type PassphrasePrompt = z.infer<typeof PassphrasePrompt>;

const ImportPreview = z.object({
  path: z.string(),
  nodes: z.array(NodeSpec),
  skipped: z.array(z.object({ host: z.string(), reason: z.string() })),
  /** Names already in the inventory: importing leaves those untouched. */
  existing: z.array(z.string()),
});

export const nodeCommands = {
  'nodes.list': command(z.object({}).strict(), z.array(NodeStatus)),
  /** Add a node, or replace the one named `previousName` (a rename keeps its place). */
  'nodes.save': command(z.object({ node: NodeSpec, previousName: z.string().optional() }).strict(), NodeStatus),
  'nodes.remove': command(z.object({ names: z.array(z.string()).min(1) }).strict(), z.object({ removed: z.array(z.string()) })),
  /** Reads ~/.ssh/config (or `path`); with `apply`, adds the nodes not in the inventory yet. */
  'nodes.importSshConfig': command(z.object({ path: z.string().optional(), apply: z.boolean() }).strict(), ImportPreview.extend({ added: z.array(z.string()) })),
  /** Poll now (all nodes, or these); answers when every poll ended. */
  'nodes.poll': command(z.object({ names: z.array(z.string()).optional() }).strict(), z.array(NodeStatus)),
  'nodes.pendingHostKeys': command(z.object({}).strict(), z.array(HostKeyPrompt)),
  'nodes.answerHostKey': command(z.object({ id: z.string(), accept: z.boolean() }).strict(), z.object({ answered: z.boolean() })),
  'nodes.pendingPassphrases': command(z.object({}).strict(), z.array(PassphrasePrompt)),
  /** null: the operator declined; the node shows auth-failed until asked again by a poll. */
  'nodes.answerPassphrase': command(z.object({ id: z.string(), passphrase: z.string().max(1024).nullable() }).strict(), z.object({ answered: z.boolean() })),
};

export const nodeEvents = {
  'nodes.status': NodeStatus,
  'nodes.removed': z.object({ names: z.array(z.string()) }),
  'nodes.hostKeyPrompt': HostKeyPrompt,
  'nodes.hostKeyResolved': z.object({ id: z.string(), accepted: z.boolean() }),
  'nodes.passphrasePrompt': PassphrasePrompt,
  'nodes.passphraseResolved': z.object({ id: z.string() }),
};
