import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { streamLines } from '../nodes/stream-exec.js';
import { localShellChannel } from '../nodes/test-support/local-shell.js';
import { NodeWatch } from './container-watch.js';
import { hasInotify } from './test-support/has-inotify.js';


const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function until(what: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(what()).toBe(true);
}

/** A NodeWatch over a local root: the watcher a real local sh running the real script (no SSH), commands run by sh. */
function watched(count: number, path?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-nodewatch-'));
  const root = join(dir, 'root');
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bench', 'containers-layout.mjs'), root, String(count)]);
  let changed = 0;
  const lost: string[] = [];
  const env = path ? `PATH=${path}; export PATH\n` : '';
  const watch = new NodeWatch({
    root,
    exec: async (command) => execFileSync('sh', ['-c', command]),
    open: async (command, handlers) => streamLines(localShellChannel(`${env}${command}`), handlers),
    changed: () => changed++,
    lost: (reason) => lost.push(reason),
  });
  cleanups.push(() => {
    watch.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { root, apps: join(root, 'apps'), watch, changed: () => changed, lost };
}

describe.runIf(hasInotify)('NodeWatch (real inotifywait, local)', () => {
  it('gathers events into scopes, syncs, and watches a container made after it started', async () => {
    const node = watched(10);
    expect(await node.watch.start()).toBe(true);
    const unique = readdirSync(node.apps).sort()[0]!;
    writeFileSync(join(node.apps, unique, 'data', 'oom'), '');
    // After a sync, every event before it is in the batch.
    expect(await node.watch.flush()).toBe(true);
    expect([...node.watch.take().scopes]).toEqual([`apps/${unique}`]);
    await until(() => node.changed() > 0);
    // A new container: named now, and again once a new watcher covers it; then its data/ is watched.
    const made = 'proid.new-0000000100-U000000000100';
    mkdirSync(join(node.apps, made, 'data'), { recursive: true });
    expect(await node.watch.flush()).toBe(true);
    expect(node.watch.take().scopes.has(`apps/${made}`)).toBe(true);
    await until(() => node.watch.started === 2);
    await until(() => node.changed() >= 2);
    node.watch.take();
    writeFileSync(join(node.apps, made, 'data', 'exitinfo'), '{}');
    // A restart in flight fails a sync on the old watcher: asked again as node-watches.ts does.
    expect((await node.watch.flush()) || (await node.watch.flush())).toBe(true);
    expect([...node.watch.take().scopes]).toEqual([`apps/${made}`]);
    expect(node.lost).toEqual([]);
  });

  it('a watcher that could not start says why; one that ends is lost, and why', async () => {
    const missing = watched(1, '/nonexistent');
    expect(await missing.watch.start()).toBe(false);
    expect(missing.watch.reason).toBe('inotifywait is not installed on the node (Debian: inotify-tools)');
    const node = watched(3);
    expect(await node.watch.start()).toBe(true);
    // The inotifywait this test started, ended from outside (as an OOM kill or an operator would).
    const pid = readdirSync('/proc').find((p) => {
      try {
        return /^\d+$/.test(p) && readlinkSync(`/proc/${p}/exe`) === '/usr/bin/inotifywait' && readlinkSync(`/proc/${p}/cwd`) === node.root;
      } catch {
        return false;
      }
    });
    process.kill(Number(pid), 'SIGTERM');
    await until(() => node.lost.length > 0);
    expect(node.watch.watching).toBe(false);
    expect(node.lost[0]).toMatch(/^inotifywait ended \(exit 143\)/);
  });
});
