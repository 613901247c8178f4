import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appVersion } from '../backend/app-version.js';

const slipway = join(import.meta.dirname, '..', '..', 'bin', 'slipway.mjs');
const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-manners-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A fresh operator: no inventory, no state, nothing inherited from the machine running the tests.
const { SLIPWAY_INVENTORY: _inventory, SLIPWAY_DEBUG: _debug, ...inherited } = process.env;
const env = { ...inherited, NO_COLOR: '1', XDG_CONFIG_HOME: join(dir, 'config'), SLIPWAY_STATE_DIR: join(dir, 'state'), SLIPWAY_WORKSPACE: join(dir, 'work'), SLIPWAY_TFTP_ROOT: join(dir, 'tftp') };
const run = (...args: string[]) => spawnSync(process.execPath, [slipway, ...args], { encoding: 'utf8', env, timeout: 60_000 });
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

/** Issue 16, point 12: the built CLI answers as an operator expects, and never with a stack trace. */
describe('slipway with manners (built CLI)', { timeout: 60_000 }, () => {
  it('--version and -V print the package version', () => {
    for (const flag of ['--version', '-V']) {
      const out = run(flag);
      expect(out.status).toBe(0);
      expect(out.stdout).toBe(`slipway ${appVersion}\n`);
    }
  });

  it('build --help prints the build section alone and exits 0', () => {
    for (const flag of ['--help', '-h']) {
      const out = run('build', 'spec.yaml', flag);
      expect(out.status).toBe(0);
      expect(out.stderr).toBe('');
      expect(out.stdout).toMatch(/^usage:\n {2}slipway build SPEC\.yaml/);
      expect(out.stdout).toContain('slipway build --cleanup');
      expect(out.stdout).not.toMatch(/slipway (start|doctor|nodes|publish|boot|netboot|deploy|app|containers|completion)\b/);
      expect(out.stdout.split('\n').length).toBeLessThan(30);
    }
  });

  it('--help after -- belongs to the remote command, not to slipway', () => {
    const out = run('nodes', 'exec', '--', 'ls', '--help');
    expect(out.status).toBe(1);
    expect(out.stdout).not.toContain('usage:');
  });

  it('an unknown option of a command: exit 2, one line, then that command’s usage only', () => {
    const out = run('nodes', 'ls', '--frobnicate');
    expect(out.status).toBe(2);
    const [first, blank, ...section] = out.stderr.split('\n');
    expect(first).toBe("slipway nodes: Unknown option '--frobnicate'");
    expect(blank).toBe('');
    expect(section.join('\n')).toMatch(/^usage:\n {2}slipway nodes ls/);
    expect(out.stderr).not.toMatch(/slipway (build|netboot|deploy|containers) /);
  });

  it('build diff of builds that do not exist: exit 1, one line naming the first side; wrong arity: exit 2', () => {
    const out = run('build', 'diff', 'nosuch-a', 'nosuch-b');
    expect(out.status).toBe(1);
    expect(out.stderr).toBe('slipway build: from: no build nosuch-a\n');
    expect(run('build', 'diff', 'only-one').status).toBe(2);
    // An id is looked up in the history before it names any file.
    const traversal = run('build', 'diff', '../../../../etc/passwd', 'x');
    expect(traversal.stderr).toBe('slipway build: from: no build ../../../../etc/passwd\n');
  });

  it('a missing spec file: exit 1, one line naming it, no stack', () => {
    const out = run('build', join(dir, 'spec.yaml'));
    expect(out.status).toBe(1);
    expect(out.stderr).toBe(`slipway build: ${join(dir, 'spec.yaml')}: no such file\n`);
    noStack(out.stderr);
  });

  it('an invalid spec lists every problem, one per line, field: message', () => {
    const spec = join(dir, 'bad.yaml');
    writeFileSync(spec, 'name: 1\nimages: []\ncolour: blue\n');
    const out = run('build', spec);
    expect(out.status).toBe(1);
    noStack(out.stderr);
    expect(out.stderr.split('\n')).toEqual([
      `slipway build: ${spec}: 5 problems in the spec:`,
      '  name: Invalid input: expected string, received number',
      '  suite: Invalid input: expected string, received undefined',
      '  images: at least one file system is needed',
      '  output: Invalid input: expected object, received undefined',
      '  (spec): Unrecognized key: "colour"',
      '',
    ]);
  });

  it('nodes ls on an empty inventory says how to add nodes', () => {
    const out = run('nodes', 'ls');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('no nodes in the inventory yet');
    expect(out.stdout).toContain('slipway nodes import-ssh-config');
    expect(out.stdout).toContain(join(dir, 'config', 'slipway', 'nodes.yaml'));
  });

  it('nodes exec where no node matches exits 1 and says so', () => {
    const none = run('nodes', 'exec', '--nodes', 'nosuch', '--', 'true');
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^slipway nodes: no node matched: the inventory is empty; add nodes with/);
    writeFileSync(join(dir, 'inventory.yaml'), 'nodes:\n  - name: node001\n    host: 127.0.0.1\n    user: root\n');
    const named = spawnSync(process.execPath, [slipway, 'nodes', 'exec', '--nodes', 'nosuch', '--', 'true'], { encoding: 'utf8', env: { ...env, SLIPWAY_INVENTORY: join(dir, 'inventory.yaml') } });
    expect(named.status).toBe(1);
    expect(named.stderr).toBe('slipway nodes: no node matched --nodes nosuch: no node named nosuch in the inventory (it has node001)\n');
  });

  it('nodes status refuses counts that are not whole, or so large they mean forever (a timeout past 2^31 ms would fire at once)', () => {
    writeFileSync(join(dir, 'inventory.yaml'), 'nodes:\n  - name: node001\n    host: 127.0.0.1\n    port: 1\n    user: root\n');
    const withInventory = { ...env, SLIPWAY_INVENTORY: join(dir, 'inventory.yaml') };
    for (const [flag, value, max] of [['--rounds', 'abc', 10_000], ['--rounds', '99999999999', 10_000], ['--timeout', '3000000', 86_400], ['--timeout', '0', 86_400]] as const) {
      const out = spawnSync(process.execPath, [slipway, 'nodes', 'status', flag, value], { encoding: 'utf8', env: withInventory });
      expect(out.status).toBe(2);
      expect(out.stderr.split('\n')[0]).toBe(`slipway nodes: ${flag}: "${value}" is not a whole number from 1 to ${max}`);
      noStack(out.stderr);
    }
  });

  it('completion bash is valid bash, and completes commands, verbs, options and choices', () => {
    const out = run('completion', 'bash');
    expect(out.status).toBe(0);
    const script = join(dir, 'slipway.bash');
    writeFileSync(script, out.stdout);
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    // The words of the command line are the arguments after the script: COMP_WORDS as bash would set them.
    const complete = (...words: string[]) =>
      spawnSync('bash', ['-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _slipway; printf "%s\\n" "${COMPREPLY[@]}"', 'complete', script, ...words], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(complete('slipway', 'bu')).toEqual(['build']);
    expect(complete('slipway', 'nodes', 'im')).toEqual(['import-ssh-config']);
    expect(complete('slipway', 'nodes', 'exec', '--no')).toEqual(['--nodes']);
    expect(complete('slipway', 'netboot', 'serve', '--mode', 'tf')).toEqual(['tftp-only']);
  });
});
