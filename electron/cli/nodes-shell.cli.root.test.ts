import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../backend/app-paths.js';
import { saveInventory } from '../nodes/inventory-file.js';
import { startFleet, type Fleet } from '../nodes/test-support/sshd-fleet.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd') && existsSync(join(packageRoot(), 'out', 'main', 'cli.js'));
const slipway = join(packageRoot(), 'bin', 'slipway.mjs');

describe.runIf(canRun)('slipway nodes shell (built CLI, a real sshd node)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-shell-cli-'));
  let fleet: Fleet;

  /** The CLI with stdin a pipe held open: what it is sent is typed into the node's pty. */
  function shell(node: string, knownHosts: string, input: string, options: { end?: boolean } = {}) {
    const child = spawn(process.execPath, [slipway, 'nodes', 'shell', node], {
      env: { ...process.env, NO_COLOR: '1', SLIPWAY_INVENTORY: join(dir, 'nodes.yaml'), SLIPWAY_KNOWN_HOSTS: knownHosts, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.write(input);
    if (options.end) child.stdin.end();
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  }

  beforeAll(async () => {
    chmodSync(dir, 0o755);
    fleet = await startFleet({ count: 1, dir: join(dir, 'fleet'), firstOctet: 242, port: 2313, user: 'slipway-test' });
    const [node] = fleet.nodes;
    saveInventory(join(dir, 'nodes.yaml'), [{ name: 'sh-node', host: node!.host, port: node!.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: [] }]);
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs what is typed in the node’s login shell and exits with its status', { timeout: 60_000 }, async () => {
    const result = await shell('sh-node', join(dir, 'known_hosts'), 'echo $((6*7)); exit 5\n');
    expect(result.stdout).toMatch(/42\r\n/);
    expect(result.code).toBe(5);
  });

  it('ends the shell at the end of piped input, as Ctrl-D does', { timeout: 60_000 }, async () => {
    const result = await shell('sh-node', join(dir, 'known_hosts'), 'echo $((6*7))\n', { end: true });
    expect(result.stdout).toMatch(/42\r\n/);
    expect(result.code).toBe(0);
  });

  it('refuses a node whose host key is not known, and says where to accept it', { timeout: 60_000 }, async () => {
    const result = await shell('sh-node', join(dir, 'no_known_hosts'), 'echo never\n');
    expect(result.code).toBe(255);
    expect(result.stderr).toContain('sh-node: unknown host key: accept it in the console (slipway start)');
    expect(result.stdout).not.toContain('never');
  });
});
