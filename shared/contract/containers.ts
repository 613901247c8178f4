import { z } from 'zod';
import { command } from './define.js';

/** Containers on lab nodes laid out as Treadmill's node root (apps/, running/, cleanup/, appevents/ …). */
export const ContainerState = z.enum(['configured', 'running', 'finished', 'killed', 'aborted', 'terminated', 'cleanup']);
export type ContainerState = z.infer<typeof ContainerState>;

export const ContainerRow = z.object({
  node: z.string(),
  /** `proid.app-0000000001-0000000ID1234` */
  unique: z.string(),
  /** `proid.app#0000000001` */
  instance: z.string(),
  app: z.string(),
  proid: z.string(),
  state: ContainerState,
  /** Treadmill's words: "return code: 3", "signal: SIGKILL", "out of memory", "aborted: image". */
  summary: z.string(),
  cleanupPending: z.boolean(),
  environment: z.string().nullable(),
  memory: z.string().nullable(),
  cpu: z.string().nullable(),
  disk: z.string().nullable(),
  services: z.array(z.string()),
  /** When the container's directory last changed: its age. */
  changedAt: z.iso.datetime(),
  problems: z.array(z.string()),
});
export type ContainerRow = z.infer<typeof ContainerRow>;

export const ContainerEventLine = z.object({
  at: z.iso.datetime(),
  instance: z.string(),
  type: z.string(),
  /** As `treadmill trace` words it: "service web_server exited: return code: 3". */
  text: z.string(),
});
export type ContainerEventLine = z.infer<typeof ContainerEventLine>;

export const ContainerScan = z.object({
  node: z.string(),
  root: z.string(),
  scannedAt: z.iso.datetime(),
  ms: z.number().nonnegative(),
  rows: z.array(ContainerRow),
  /** The node could not be read at all. */
  error: z.string().nullable(),
  /** Malformed files and directories: reported, never fatal. */
  problems: z.array(z.string()),
});
export type ContainerScan = z.infer<typeof ContainerScan>;

export const containerCommands = {
  /** Every container on every Treadmill node (nodes labelled `treadmill` or `treadmill=<root>`), scanned now. */
  'containers.list': command(z.object({ nodes: z.array(z.string()).optional() }).strict(), z.array(ContainerScan)),
  'containers.trace': command(z.object({ node: z.string(), instance: z.string() }).strict(), z.array(ContainerEventLine)),
};

export const containerEvents = {
  'containers.scan': ContainerScan,
  'containers.events': z.object({ node: z.string(), events: z.array(ContainerEventLine) }),
};
