import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AppDefinition, type AppNodeState, type BlacklistEntry } from '../../shared/contract/apps.js';
import type { AppNodeAccess } from './app-node-steps.js';
import { AppRun } from './app-run.js';

/** Nodes that answer each step's script plausibly; `bad` fails depends with a GPG error, `slow` answers late. */
function fakeNodes(options: { bad?: string; slow?: string[] }) {
  const copies: string[] = [];
  const started = new Set<string>();
  const access = (name: string): AppNodeAccess => ({
    async exec(command) {
      if (options.slow?.includes(name)) await sleep(30);
      const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });
      if (command.includes('platform=')) return ok(`home=/h/${name}\nplatform=x86_64 debian 12\n`);
      if (command.includes('dpkg-query')) return name === options.bad ? { code: 1, stdout: '', stderr: 'W: GPG error: http://deb.debian.org bookworm InRelease: NO_PUBKEY 0E98404D386FA1D9' } : ok('already installed');
      if (command.includes('build-pid') && command.includes('setsid')) return ok('pid=10\n');
      if (command.includes('@@')) return ok(started.has(name) ? 'pid=running\nbuild-pid=none\n' : 'pid=none\nbuild-pid=gone\nbuild-exit=0\n');
      if (command.includes('app.sh')) {
        started.add(name);
        return ok('pid=20\n');
      }
      return ok('');
    },
    upload: async () => undefined,
    copyTo: async (target) => {
      copies.push(`${name}→${target}`);
      return 1024;
    },
    retryNow: () => undefined,
  });
  return { access, copies };
}

describe('build once per group', () => {
  it('elects another builder when the chosen one fails before building', { timeout: 10_000 }, async () => {
    const { access, copies } = fakeNodes({ bad: 'n1', slow: ['n2', 'n3', 'n4'] });
    const listed: BlacklistEntry[] = [];
    const definition = AppDefinition.parse({ name: 'a', run: './a', build: 'make', depends: ['libc6'] });
    const run = new AppRun('app-1', definition, 'h', new Date().toISOString(), { resultsDir: '/nonexistent/results', sourcesTar: '/dev/null', sourcesDigest: 'd' }, {
      node: access,
      blacklisted: () => null,
      blacklist: (entry) => listed.push(entry),
      changed: () => undefined,
      traced: () => undefined,
      spread: () => undefined,
      pollMs: 60_000,
    });
    await run.deploy(['n1', 'n2', 'n3', 'n4']);
    run.close();
    const states = Object.fromEntries(run.detail().nodes.map((n: AppNodeState) => [n.node, n]));
    expect(states.n1).toMatchObject({ status: 'FAILED', failedStep: 'depends', error: expect.stringMatching(/^blacklisted: W: GPG error/) });
    expect(listed.map((e) => e.node)).toEqual(['n1']);
    const others = ['n2', 'n3', 'n4'].map((n) => states[n]!);
    expect(others.map((n) => n.status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    const builders = others.filter((n) => n.builtBy === n.node);
    expect(builders).toHaveLength(1);
    expect(copies).toHaveLength(2);
    // Nothing came from the node that never built.
    expect(copies.filter((copy) => copy.startsWith('n1'))).toEqual([]);
  });
});
