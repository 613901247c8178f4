import { z } from 'zod';
import { KernelArgs } from './boot.js';
import { command } from './define.js';
import { TftpName, TreeHost } from './publish.js';

/** A node's MAC, as pxelinux names its config: six hex pairs; stored lower case with colons. */
export const MacAddress = z
  .string()
  .regex(/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/, 'must be a MAC address such as 52:54:00:12:34:56')
  .transform((mac) => mac.toLowerCase().replaceAll('-', ':'));

/** What a node netboots: `arch/subarch/release/purpose` of the TFTP tree. */
export const NetbootChoice = z
  .string()
  .refine((text) => {
    const parts = text.split('/');
    return parts.length === 4 && parts.every((part) => TftpName.safeParse(part).success);
  }, 'must be arch/subarch/release/purpose, such as amd64/generic/bookworm/compute');

const ipv4 = z.string().regex(/^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/, 'must be an IPv4 address');
// No leading "-": the name is an operand of ip and a value of dnsmasq, never to be read as an option.
const ifname = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/, 'must be a network interface name');

/**
 * The netboot services (TFTP by dnsmasq, HTTP by Slipway's own read-only
 * server). proxy-dhcp answers PXE clients beside the lab's DHCP server, which
 * keeps handing out addresses; dhcp hands out addresses itself (a private lab
 * network); tftp-only leaves DHCP's next-server and filename to the lab.
 */
export const NetbootServeRequest = z
  .object({
    interface: ifname,
    mode: z.enum(['proxy-dhcp', 'dhcp', 'tftp-only']).default('proxy-dhcp'),
    /** The address nodes reach the services at; the interface's first IPv4 address by default. */
    address: ipv4.optional(),
    httpPort: z.number().int().min(1).max(65_535).default(8740),
    /** dhcp mode only: the addresses handed out. */
    dhcpRange: z.object({ start: ipv4, end: ipv4 }).optional(),
    /** Run both services inside this network namespace (a lab network behind one, or a test). */
    netns: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'must be a network namespace name').optional(),
    /** The serial console nodes print to, as console= takes it; empty for none. */
    console: z.string().regex(/^([A-Za-z0-9]+(,[0-9]+[a-z0-9]*)?)?$/, 'must be a console= value such as ttyS0,115200').default('ttyS0,115200'),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (request.mode === 'dhcp' && !request.dhcpRange) ctx.addIssue({ code: 'custom', path: ['dhcpRange'], message: 'dhcp mode hands out addresses: give the range' });
  });
export type NetbootServeRequest = z.output<typeof NetbootServeRequest>;
export type NetbootServeRequestInput = z.input<typeof NetbootServeRequest>;

export const NetbootService = z.object({
  name: z.enum(['tftp', 'http']),
  /** dnsmasq, or Slipway's HTTP server. */
  program: z.string(),
  pid: z.number().int().nullable(),
  running: z.boolean(),
  /** Listening where, or why it stopped. */
  detail: z.string(),
  logTail: z.array(z.string()),
});
export type NetbootService = z.infer<typeof NetbootService>;

export const NetbootStatus = z.object({
  tftpRoot: z.string(),
  request: NetbootServeRequest.nullable(),
  /** Where nodes fetch root images from (null until served). */
  httpBase: z.string().nullable(),
  startedAt: z.iso.datetime().nullable(),
  services: z.array(NetbootService),
  /** Kernel arguments added per purpose. */
  extraArgs: z.record(z.string(), z.string()),
});
export type NetbootStatus = z.infer<typeof NetbootStatus>;

/** A step of a node's last netboot, from the services' logs. */
export const NodeBootEvent = z.object({
  stage: z.enum(['address', 'config', 'kernel', 'initrd', 'root', 'booted']),
  at: z.iso.datetime(),
  detail: z.string(),
});
export type NodeBootEvent = z.infer<typeof NodeBootEvent>;

export const NodeBoot = z.object({
  node: z.string(),
  mac: z.string(),
  choice: z.string().nullable(),
  /** The version its config names now: what it boots next. */
  next: z.string().nullable(),
  /** Held at this version (rolled back on its own) instead of following its purpose. */
  pinned: z.string().nullable(),
  /** Earlier versions of its purpose still kept: what it can be rolled back to. */
  kept: z.array(z.string()),
  /** Why it has no config (nothing published for its choice, no HTTP address yet). */
  problem: z.string().nullable(),
  /** The version it reported booting last (phone-home). */
  last: z.object({ version: z.string(), at: z.iso.datetime(), ip: z.string() }).nullable(),
  progress: z.array(NodeBootEvent),
});
export type NodeBoot = z.infer<typeof NodeBoot>;

export const netbootCommands = {
  'netboot.status': command(z.object({}).strict(), NetbootStatus),
  'netboot.serve': command(NetbootServeRequest, NetbootStatus),
  'netboot.stop': command(z.object({}).strict(), NetbootStatus),
  'netboot.nodes': command(z.object({}).strict(), z.array(NodeBoot)),
  'netboot.setArgs': command(z.object({ purpose: TftpName, extraArgs: KernelArgs }).strict(), NetbootStatus),
  /** Hold one node at a kept version (its config rewritten by one rename), or let it follow its purpose again (null). */
  'netboot.pin': command(z.object({ node: z.string().min(1), version: z.string().regex(/^[A-Za-z0-9._+-]+-[0-9a-f]{16}$/, 'not a version').nullable() }).strict(), z.array(NodeBoot)),
  /** Point a purpose back at a version it kept: one rename of the link, its nodes' configs rewritten. */
  'netboot.rollback': command(
    // `host`: a build host's tree, switched there by its helper.
    z.object({ arch: TftpName, subarch: TftpName, release: TftpName, purpose: TftpName, version: z.string().regex(/^[A-Za-z0-9._+-]+-[0-9a-f]{16}$/, 'not a version'), host: TreeHost.optional() }).strict(),
    z.object({ version: z.string(), previous: z.string().nullable() }),
  ),
};

export const netbootEvents = {
  'netboot.changed': NetbootStatus,
  'netboot.nodes': z.array(NodeBoot),
};
