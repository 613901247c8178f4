import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A pids cgroup around a test node's sshd (its sessions are forked into it):
 * with `freeze()` the cgroup may hold no more processes than it has, so any
 * fork on the node fails and is counted in pids.events. cgroup v1's pids
 * hierarchy where mounted, else v2 with the pids controller.
 */
export interface PidsCgroup {
  /** Processes in the cgroup now. */
  procs(): number[];
  current(): number;
  /** Forks refused by the limit so far. */
  refused(): number;
  /** No fork may succeed from now on. */
  freeze(): void;
  thaw(): void;
  /** Once its processes are gone: removes the cgroup (waits for the kernel to let go of exited ones). */
  remove(): Promise<void>;
}

function pidsRoot(): string | null {
  if (existsSync('/sys/fs/cgroup/pids/cgroup.procs')) return '/sys/fs/cgroup/pids';
  const controllers = '/sys/fs/cgroup/cgroup.controllers';
  if (existsSync(controllers) && readFileSync(controllers, 'utf8').split(/\s+/).includes('pids')) {
    writeFileSync('/sys/fs/cgroup/cgroup.subtree_control', '+pids');
    return '/sys/fs/cgroup';
  }
  return null;
}

export const canUsePidsCgroup = () => process.getuid?.() === 0 && pidsRoot() !== null;

export function pidsCgroup(name: string, pid: number): PidsCgroup {
  const root = pidsRoot();
  if (!root) throw new Error('no pids cgroup controller on this machine');
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    procs: () => read('cgroup.procs').split('\n').filter(Boolean).map(Number).sort((a, b) => a - b),
    current: () => Number(read('pids.current').trim()),
    refused: () => Number(/^max (\d+)/m.exec(read('pids.events'))?.[1] ?? 0),
    freeze() {
      writeFileSync(join(dir, 'pids.max'), read('pids.current').trim());
    },
    thaw() {
      writeFileSync(join(dir, 'pids.max'), 'max');
    },
    async remove() {
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          rmdirSync(dir);
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EBUSY' || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
  };
}
