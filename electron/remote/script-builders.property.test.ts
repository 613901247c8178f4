import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { homeScript, spawnScript } from '../apps/remote-scripts.js';
import { scanScript } from '../containers/container-scan.js';
import { configureScript, containerShellCommand, containerShellScript, type ContainerSpec } from '../containers/container-scripts.js';
import { remoteSyncScript } from '../deploy/remote-sync.js';
import { failLine, shQuote, writeFileLines } from './shell-script.js';

/**
 * Every script builder that puts values into a node-side script, fed
 * arbitrary and hostile strings and run by a real `sh` in a throw-away
 * directory: the value arrives byte for byte, and nothing the value says is
 * ever run (no file appears outside the directory).
 */

const parent = mkdtempSync(join(tmpdir(), 'slipway-script-props-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** What an attacker would type: substitutions, quotes, a heredoc terminator line, options, control characters. */
const hostile = fc.constantFrom(
  '$(touch ../pwned)',
  '`touch ../pwned`',
  "'; touch ../pwned; '",
  '"; touch ../pwned; "',
  'a\nSLIPWAY_EOF\ntouch ../pwned\n: ',
  '\\$(touch ../pwned)\\',
  '-rf',
  '--checkpoint-action=exec=touch ../pwned',
  '${IFS}touch${IFS}../pwned',
  "it's",
  '\r\n\t\u001b[31m',
  '',
);
/** Any text sh can carry (every character but NUL), hostile pieces mixed in. */
const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }).map((s) => s.replaceAll('\0', '')),
  hostile,
  fc.tuple(fc.string({ maxLength: 10 }), hostile, fc.string({ unit: 'binary', maxLength: 10 })).map((parts) => parts.join('').replaceAll('\0', '')),
);

let runs = 0;
/** Runs `script` with sh from a file, in a fresh directory under `parent`; nothing may appear in `parent` but it. */
function inSandbox(script: string, check: (dir: string, result: { status: number | null; stdout: Buffer; stderr: Buffer }) => void): void {
  runs += 1;
  const dir = mkdtempSync(join(parent, 'run-'));
  const file = join(parent, `${dir.split('/').pop()}.sh`);
  try {
    writeFileSync(file, script);
    // A generous limit: a loaded 2-core machine can take seconds for a script that takes milliseconds here.
    const result = spawnSync('sh', [file], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir }, timeout: 120_000 });
    expect(result.signal, 'the script was stopped by its time limit').toBeNull();
    expect(readdirSync(parent).sort()).toEqual([dir.split('/').pop(), file.split('/').pop()].sort());
    expect(existsSync(join(dir, '..', 'pwned'))).toBe(false);
    check(dir, result);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
}

const property = { numRuns: 60 };

// Bounded by the number of runs, not by time: on a loaded machine each script may take seconds.
describe('script builders under arbitrary values (real sh)', { timeout: 300_000 }, () => {
  it('shQuote: a value is one word that is exactly the value; NUL is refused', () => {
    fc.assert(
      fc.property(value, (v) => {
        inSandbox(`printf '%s' ${shQuote(v)}`, (_dir, result) => expect(result.stdout.toString()).toBe(v));
      }),
      property,
    );
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });

  it('writeFileLines: the file holds the content byte for byte, with its mode', () => {
    fc.assert(
      fc.property(value, value, (name, content) => {
        const file = `f-${Buffer.from(name).toString('hex').slice(0, 40)}`;
        inSandbox(writeFileLines(file, content, '600'), (dir) => {
          expect(readFileSync(join(dir, file), 'utf8')).toBe(content);
          expect(spawnSync('stat', ['-c', '%a', join(dir, file)], { encoding: 'utf8' }).stdout.trim()).toBe('600');
        });
      }),
      property,
    );
  });

  it('failLine: the message reaches stderr as written', () => {
    fc.assert(
      fc.property(value, (message) => {
        inSandbox(failLine(message, 4), (_dir, result) => {
          expect(result.status).toBe(4);
          expect(result.stderr.toString()).toBe(`${message}\n`);
        });
      }),
      property,
    );
  });

  it('containers: configure carries any proid, image, command and manifest to the node as data', () => {
    fc.assert(
      fc.property(value, value, value, value, (proid, image, command, manifest) => {
        const spec = (over: Partial<ContainerSpec>): ContainerSpec => ({
          root: 'root', unique: 'p.a-0000000001-AAAAAAAAAAAAA', uniqueId: 'AAAAAAAAAAAAA', instance: 'p.a#0000000001', proid: 'root',
          service: 'web', command, image: '/bin/sh', memoryBytes: 1 << 20, environ: {}, ...over,
        });
        // An unknown proid and a missing image are refused in the node's words, with the value as given.
        inSandbox(configureScript(spec({ proid: `x${proid}` }), manifest, '{}'), (_dir, result) => {
          expect(result.stderr.toString()).toBe(`proid x${proid} does not exist on this node\n`);
        });
        inSandbox(configureScript(spec({ image: `/nonexistent/${image}` }), manifest, '{}'), (_dir, result) => {
          expect(result.stderr.toString()).toBe(`no image file /nonexistent/${image} on this node\n`);
        });
        // Configured: the command and the manifest arrive byte for byte.
        inSandbox(configureScript(spec({}), manifest, '{}'), (dir, result) => {
          expect(result.stderr.toString()).toBe('');
          const data = join(dir, 'root', 'apps', 'p.a-0000000001-AAAAAAAAAAAAA', 'data');
          expect(readFileSync(join(data, 'manifest.yml'), 'utf8')).toBe(manifest);
          const sourced = spawnSync('sh', ['-c', `. ./spec.env && printf '%s' "$COMMAND"`], { cwd: data });
          expect(sourced.stdout.toString()).toBe(command);
          // The scripts s6 runs are whole sh programs.
          for (const script of ['run', 'finish', 'log/run']) expect(spawnSync('sh', ['-n', join(data, '..', script)]).status).toBe(0);
        });
      }),
      { numRuns: 30 },
    );
  });

  it('containers: a scan of any root says it cannot open it, naming it exactly', () => {
    fc.assert(
      fc.property(value, (root) => {
        inSandbox(scanScript(`/nonexistent/${root}`, 0), (_dir, result) => {
          expect(result.stdout.toString().split('\n')[0]).toBe(`@error cannot open /nonexistent/${root.split('\n')[0]}`);
        });
      }),
      property,
    );
  });

  it('containers: a shell into a container under any root says there is none there, and runs nothing else', () => {
    // As the node's login shell would run it (root here: the sudo branch is not taken), or the script itself.
    const shell = process.getuid?.() === 0 ? containerShellCommand : containerShellScript;
    fc.assert(
      fc.property(value, (root) => {
        inSandbox(shell(`/nonexistent/${root}`, 'root.web#0000000001', 'root.web-0000000001-AAAAAAAAAAAAA'), (_dir, result) => {
          expect(result.stderr.toString()).toBe('no container root.web-0000000001-AAAAAAAAAAAAA on this node\n');
          expect(result.status).toBe(3);
        });
      }),
      property,
    );
    // The names are the operator's: only Treadmill's names, and a unique name of that very instance, reach a script.
    for (const [instance, unique] of [
      ["root.web#1'; touch ../pwned; '", 'root.web-0000000001-AAAAAAAAAAAAA'],
      ['root.web#0000000001', 'root.web-0000000001-AAAAAAAAAAAA$'],
      ['root.web#0000000001', 'root.web-0000000002-AAAAAAAAAAAAA'],
    ]) {
      expect(() => containerShellScript('/r', instance!, unique!)).toThrow(/not a container/);
    }
  });

  it('applications: env values reach the program byte for byte, never on a command line', () => {
    fc.assert(
      fc.property(value, fc.string({ minLength: 1, maxLength: 12 }).filter((s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s)), (secret, name) => {
        inSandbox(
          [
            spawnScript({
              home: '.', script: 'app.sh', cwd: '.', command: `printf '%s' "$${name}" > out`, env: { [name]: secret },
              stdout: 'stdout', stderr: 'stderr', stdin: null, pidfile: 'pid', exitfile: 'exitcode', sudo: false,
            }),
            'i=0; while [ ! -f exitcode ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done',
          ].join('\n'),
          (dir) => {
            expect(readFileSync(join(dir, 'out'), 'utf8')).toBe(secret);
            expect(readFileSync(join(dir, 'app.sh'), 'utf8')).not.toContain(`${name}=`);
            expect(spawnSync('stat', ['-c', '%a', join(dir, 'app.sh.env')], { encoding: 'utf8' }).stdout.trim()).toBe('600');
          },
        );
      }),
      { numRuns: 25 },
    );
    expect(() => spawnScript({ home: '.', script: 'a', cwd: '.', command: 'true', env: { 'A;touch x': '1' }, stdout: 'o', stderr: 'e', stdin: null, pidfile: 'p', exitfile: 'x', sudo: false })).toThrow(/not an environment variable name/);
  });

  it('applications: the home directory is made where asked, whatever its name', () => {
    fc.assert(
      fc.property(value, (relative) => {
        const name = `h${relative.replaceAll('/', '_')}`;
        inSandbox(homeScript('base', name), (dir, result) => {
          expect(result.stdout.toString()).toContain(`home=base/${name}\n`);
          expect(existsSync(join(dir, 'base', name, 'build'))).toBe(true);
        });
      }),
      property,
    );
  });

  it('deploys: ssh-rsync unpacks into any destination path, quoted', () => {
    mkdirSync(join(parent, 'src'), { recursive: true });
    writeFileSync(join(parent, 'src', 'file'), 'payload');
    const tarball = join(tmpdir(), `slipway-props-${process.pid}.tar`);
    spawnSync('tar', ['-c', '-f', tarball, '-C', join(parent, 'src'), '.']);
    rmSync(join(parent, 'src'), { recursive: true, force: true });
    try {
      fc.assert(
        fc.property(value, (dest) => {
          const name = `d${dest.replaceAll('/', '_')}`;
          spawnSync('cp', [tarball, `${tarball}.copy`]);
          inSandbox(remoteSyncScript(`${tarball}.copy`, name, 'id1'), (dir) => {
            expect(readFileSync(join(dir, name, 'file'), 'utf8')).toBe('payload');
          });
        }),
        // Two backslashes: GNU tar unquotes its -C directory unless told not to (found by this property in CI).
        { numRuns: 25, examples: [['x\\\\y']] },
      );
    } finally {
      rmSync(tarball, { force: true });
      rmSync(`${tarball}.copy`, { force: true });
    }
    console.log(`script builders: ${runs} scripts run with arbitrary values`);
  });
});
