import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { shQuote } from '../remote/shell-script.js';
import { remoteSyncScript } from './remote-sync.js';

describe('remote sync script', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('quotes for sh so a value is one word', () => {
    expect(execFileSync('sh', ['-c', `printf %s ${shQuote("it's a $HOME `x`")}`], { encoding: 'utf8' })).toBe("it's a $HOME `x`");
  });

  it('makes the destination equal to the tarball and leaves no staging dir or tarball behind', () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-sync-'));
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'etc'), { recursive: true });
    writeFileSync(join(tree, 'etc', 'hostname'), 'node7\n');
    execFileSync('tar', ['-c', '-f', join(dir, 'tree.tar'), '-C', tree, '.']);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    writeFileSync(join(dest, 'stale'), 'from an earlier deploy');
    execFileSync('sh', ['-c', remoteSyncScript(join(dir, 'tree.tar'), dest, 'dep-1')]);
    expect(readFileSync(join(dest, 'etc', 'hostname'), 'utf8')).toBe('node7\n');
    expect(existsSync(join(dest, 'stale'))).toBe(false);
    expect(existsSync(`${dest}.slipway-dep-1`)).toBe(false);
    expect(existsSync(join(dir, 'tree.tar'))).toBe(false);
  });
});
