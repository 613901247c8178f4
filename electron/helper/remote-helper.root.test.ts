import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeService } from '../nodes/node-service.js';
import { bundleDigest, remoteHelperPath, remoteStartScript, startRemoteHelper } from './remote-helper.js';
import { startBuildHostNode, type BuildHostNode } from './test-support/build-host-node.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');
const owner = { pid: process.pid, startTime: '0' };

/*
 * The build host is an sshd test node on this machine (127.0.55.30), logging
 * in as root; its helper directory is a temporary one, so the machine's
 * /var/lib is left alone.
 */
describe.runIf(canRun)('the helper on a build host over SSH (root, sshd node on 127.0.55.30)', () => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-remote-helper-'));
  const helperDir = join(base, 'host-helpers');
  let host: BuildHostNode;
  let nodes: NodeService;
  let bundle = '';

  beforeAll(async () => {
    host = await startBuildHostNode(base, { thirdOctet: 55, firstOctet: 30, port: 2357 });
    ({ nodes, bundle } = host);
  }, 60_000);
  afterAll(() => host?.close());

  /** True once no process on this machine (the host) runs the file, within 5 s. */
  const gone = async (file: string) => {
    for (let i = 0; i < 50; i += 1) {
      if (spawnSync('pgrep', ['-f', '--', file]).status === 1) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  };
  const options = () => ({ bundle, workspace: join(base, 'ws'), outputRoots: [base], elevation: 'root' as const, dir: helperDir });

  it('uploads once to a content-hashed path, starts in private namespaces, and runs a request', { timeout: 60_000 }, async () => {
    const first = await startRemoteHelper(nodes.access('builder'), options());
    try {
      expect(first.uploaded).toBe(true);
      expect(first.helper.namespaced).toBe(true);
      const path = remoteHelperPath(helperDir, bundleDigest(bundle));
      expect(readFileSync(path)).toEqual(readFileSync(bundle));
      const opened = await first.helper.call('build.open', { buildId: 'remote-000001', outputDir: join(base, 'out'), owner }).result;
      await first.helper.call('file.sparse', { buildId: 'remote-000001', path: join(opened.dir, 'root.img'), bytes: 1 << 20 }).result;
      expect(readFileSync(join(opened.dir, 'journal.jsonl'), 'utf8')).toContain('"kind":"file"');
      const closed = await first.helper.call('build.close', { buildId: 'remote-000001' }).result;
      expect(closed.released).toHaveLength(2);
    } finally {
      await first.helper.close();
    }
    // Closed: the helper (and unshare around it) are gone from the host, nothing left running.
    expect(await gone(remoteHelperPath(helperDir, bundleDigest(bundle)))).toBe(true);
    // The same version on the same host: no second upload.
    const again = await startRemoteHelper(nodes.access('builder'), options());
    expect(again.uploaded).toBe(false);
    await again.helper.close();
  });

  it('a helper whose sha256 does not match is never run: refused at start, re-uploaded before use', { timeout: 60_000 }, async () => {
    const sha = bundleDigest(bundle);
    const path = remoteHelperPath(helperDir, sha);
    const marker = join(base, 'tampered-ran');
    writeFileSync(path, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    // The start script itself refuses the changed file (the check right before use).
    const refused = await nodes.access('builder').exec(remoteStartScript(path, sha, '00000000000000aa', options()), { timeoutMs: 30_000 });
    expect(refused.code).toBe(97);
    expect(refused.stderr).toContain('sha256-mismatch');
    // A start puts the right file back and runs that one.
    const started = await startRemoteHelper(nodes.access('builder'), options());
    try {
      expect(started.uploaded).toBe(true);
      expect(readFileSync(path)).toEqual(readFileSync(bundle));
      const opened = await started.helper.call('build.open', { buildId: 'remote-000002', outputDir: join(base, 'out'), owner }).result;
      await started.helper.call('build.close', { buildId: 'remote-000002' }).result;
      expect(opened.dir).toContain('remote-000002');
    } finally {
      await started.helper.close();
    }
    expect(existsSync(marker)).toBe(false);
  });
});
