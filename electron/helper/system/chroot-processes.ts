import { readdir, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isUnder } from './mountinfo.js';

/** Processes whose root directory is the chroot (or below it). */
export async function chrootedPids(root: string, proc = '/proc'): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (isUnder(await readlink(`${proc}/${entry}/root`), root)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/**
 * TERM, wait up to graceMs, then KILL what is left: diskimage-builder's single
 * TERM is racy by its own account, and a busy unmount is how builders leak.
 */
export async function stopChrooted(root: string, graceMs = 5_000): Promise<{ terminated: number[]; killed: number[] }> {
  const terminated = await chrootedPids(root);
  if (terminated.length === 0) return { terminated, killed: [] };
  signal(terminated, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let left = terminated;
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = await chrootedPids(root);
  }
  signal(left, 'SIGKILL');
  for (let i = 0; i < 50 && (await chrootedPids(root)).length > 0; i++) await sleep(100);
  return { terminated, killed: left };
}
