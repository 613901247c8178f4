import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeService } from '../nodes/node-service.js';
import type { Fleet } from '../nodes/test-support/sshd-fleet.js';
import type { HelperLink, HelperLog } from './helper-client.js';
import { journalName } from './helper-session.js';
import { startRemoteHelper } from './remote-helper.js';
import { startBuildHostNode, type BuildHostNode } from './test-support/build-host-node.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');
const owner = { pid: process.pid, startTime: '0' };

/** Resolves once `check` holds, looked at every 50 ms (a state, not a time: the deadline is the test's). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 50));
}

/*
 * A detached helper on a build host (an sshd test node, 127.0.57.40, root):
 * its node's sshd is stopped (every connection cut) and started again while
 * an operation runs and logs; the console re-attaches and misses no line.
 */
describe.runIf(canRun)('a build host helper outlives its SSH connection (root, sshd node on 127.0.57.40)', () => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-helper-link-'));
  const workspace = join(base, 'ws');
  let host: BuildHostNode;
  let fleet: Fleet;
  let nodes: NodeService;
  let bundle = '';

  beforeAll(async () => {
    host = await startBuildHostNode(base, { thirdOctet: 57, firstOctet: 40, port: 2371 });
    ({ fleet, nodes, bundle } = host);
  }, 60_000);
  afterAll(() => host?.close());

  const options = (lingerSeconds: number) => ({ bundle, workspace, outputRoots: [base], elevation: 'root' as const, dir: join(base, 'host-helpers'), lingerSeconds });
  const sessions = () => (existsSync(join(workspace, 'sessions')) ? readdirSync(join(workspace, 'sessions')) : []);
  const journalLines = (session: string) => readFileSync(join(workspace, 'sessions', session, journalName), 'utf8').trim().split('\n');

  it('an operation goes on while the connection is cut; after sshd is back every line it logged arrives once, in order, and the gap is reported', { timeout: 120_000 }, async () => {
    const { helper } = await startRemoteHelper(nodes.access('builder'), options(600));
    const links: HelperLink[] = [];
    helper.onLink!((link) => links.push(link));
    const flag = join(base, 'finish-now');
    const script = join(base, 'count.sh');
    // Counts until told to stop: it runs through the cut, whatever the machine's load.
    writeFileSync(script, `#!/bin/sh\ni=0\nwhile [ ! -e '${flag}' ]; do i=$((i+1)); echo "line $i"; sleep 0.05; done\necho "done $i"\n`);
    chmodSync(script, 0o755);
    try {
      const buildId = 'link-000001';
      const opened = await helper.call('build.open', { buildId, outputDir: join(base, 'out'), owner }).result;
      await helper.call('dir.make', { buildId, path: join(opened.dir, 'tree') }).result;
      const lines: string[] = [];
      const counting = helper.call('extension.run', { buildId, executable: script, root: join(opened.dir, 'tree'), env: {}, timeoutMs: 120_000 }, (log: HelperLog) => lines.push(log.text));
      await until(() => lines.length >= 5);
      const [session] = sessions();
      await fleet.stopNode('node001');
      await until(() => links.some((link) => link.state === 'lost'));
      const seenAtCut = lines.length;
      // The host went on logging with nobody attached: its journal has lines this console has not seen.
      await until(() => journalLines(session!).length > seenAtCut + 20);
      await fleet.startNode('node001');
      await until(() => links.some((link) => link.state === 'back'));
      writeFileSync(flag, '');
      await counting.result;
      const last = Number(/^done (\d+)$/.exec(lines.at(-1)!)![1]);
      expect(lines).toEqual([...Array.from({ length: last }, (_, i) => `line ${i + 1}`), `done ${last}`]);
      expect(last).toBeGreaterThan(seenAtCut + 20);
      expect(links.map((link) => link.state)).toEqual(['lost', 'back']);
      expect(links[1]!.gapMs).toBeGreaterThan(0);
      // A call made after the re-attach is answered as before, and the build is released whole.
      expect((await helper.call('build.close', { buildId }).result).failed).toEqual([]);
    } finally {
      await helper.close();
    }
    // Closed on purpose: the helper released everything and took its session folder with it.
    expect(sessions()).toEqual([]);
  });

  it('a console that never comes back: the helper waits its linger time, then releases its build and exits; the console gives up as long', { timeout: 120_000 }, async () => {
    const { helper } = await startRemoteHelper(nodes.access('builder'), options(3));
    const opened = await helper.call('build.open', { buildId: 'link-000002', outputDir: join(base, 'out'), owner }).result;
    await helper.call('file.sparse', { buildId: 'link-000002', path: join(opened.dir, 'root.img'), bytes: 1 << 20 }).result;
    await fleet.stopNode('node001');
    try {
      expect(await helper.exited).toBe('builder could not be reached for 3 s after the connection dropped');
      await until(() => !existsSync(opened.dir));
      await until(() => sessions().length === 0);
      expect(spawnSync('pgrep', ['-f', '--', `--workspace ${workspace}`]).status).toBe(1);
    } finally {
      await fleet.startNode('node001');
    }
  });

  it('a helper killed outright: the console is told it is gone, and the next helper on the host releases what it left', { timeout: 120_000 }, async () => {
    // The node was down a moment ago: its pooled connection is tried again now, not after its backoff.
    nodes.access('builder').retryNow();
    const first = await startRemoteHelper(nodes.access('builder'), options(600));
    const opened = await first.helper.call('build.open', { buildId: 'link-000003', outputDir: join(base, 'out'), owner }).result;
    await first.helper.call('file.sparse', { buildId: 'link-000003', path: join(opened.dir, 'root.img'), bytes: 1 << 20 }).result;
    const [session] = sessions();
    expect(spawnSync('pkill', ['-KILL', '-f', '--', `--session ${session}`]).status).toBe(0);
    expect(await first.helper.exited).toMatch(/^the helper on builder is gone \(no helper answers at .*helper\.sock \(ECONNREFUSED\)\)$/);
    const next = await startRemoteHelper(nodes.access('builder'), options(600));
    try {
      expect(next.helper.recoveredAtStart).toEqual([`link-000003: released file ${join(opened.dir, 'root.img')}`, `link-000003: released directory ${opened.dir}`]);
      expect(existsSync(opened.dir)).toBe(false);
      expect(sessions()).toHaveLength(1);
    } finally {
      await next.helper.close();
    }
  });
});
