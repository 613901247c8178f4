import { z } from 'zod';

/**
 * A node of the lab inventory. (The nodes commands and events join the
 * contract with the connection pool; the record is shared already.)
 */
const label = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*(=[A-Za-z0-9._/-]*)?$/, 'must be a label such as rack=3 or gpu');

export const NodeSpec = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'only letters, digits, ".", "_" and "-", up to 63 characters'),
  host: z.string().regex(/^[A-Za-z0-9.:%[\]-]+$/, 'must be a host name or an IP address'),
  port: z.number().int().min(1).max(65_535).default(22),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]*\$?$/i, 'must be a user name').default('root'),
  /** Private key file; empty means the agent and the default keys. */
  identity: z.string().refine((p) => p.startsWith('/'), 'must be an absolute path').nullable().default(null),
  /** Another node of the inventory, or user@host:port, to jump through (ProxyJump). */
  jump: z.string().regex(/^[A-Za-z0-9@._:[\]-]+$/, 'must be a node name or user@host:port').nullable().default(null),
  labels: z.array(label).default([]),
});
export type NodeSpec = z.output<typeof NodeSpec>;
export type NodeSpecInput = z.input<typeof NodeSpec>;

export const Inventory = z
  .object({ nodes: z.array(NodeSpec).default([]) })
  .superRefine((inventory, ctx) => {
    const seen = new Set<string>();
    inventory.nodes.forEach((node, index) => {
      if (seen.has(node.name)) ctx.addIssue({ code: 'custom', path: ['nodes', index, 'name'], message: `duplicate node name ${node.name}` });
      seen.add(node.name);
    });
  });
export type Inventory = z.output<typeof Inventory>;
