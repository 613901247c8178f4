import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { debianMirror, hostDebianMirror } from './host-mirror.js';

const deb822 = `Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

describe('debianMirror', () => {
  it.each<[string, string, string | null]>([
    ['a one-line source', 'deb http://deb.debian.org/debian bookworm main', 'http://deb.debian.org/debian'],
    ['a trailing slash, dropped', 'deb http://ftp.de.debian.org/debian/ bookworm main contrib', 'http://ftp.de.debian.org/debian'],
    ['https and extra spaces', '   deb    https://mirror.lab.example/debian   bookworm main', 'https://mirror.lab.example/debian'],
    [
      '[signed-by=…] options',
      'deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main',
      'http://deb.debian.org/debian',
    ],
    ['options with spaces inside the brackets', 'deb [ arch=amd64,arm64 trusted=no ] http://deb.debian.org/debian bookworm main', 'http://deb.debian.org/debian'],
    ['a deb822 stanza', deb822, 'http://deb.debian.org/debian'],
    ['deb822 with the field name in another case', 'Types: deb\nuris: http://deb.debian.org/debian/\nSuites: bookworm\n', 'http://deb.debian.org/debian'],
    [
      'the first Debian archive after security and other repos',
      [
        'deb http://security.debian.org/debian-security bookworm-security main',
        'deb [arch=amd64] https://packages.microsoft.com/repos/code stable main',
        'deb http://archive.ubuntu.com/ubuntu jammy main',
        'deb http://mirror.lab.example/debian bookworm main',
        'deb http://deb.debian.org/debian bookworm-updates main',
      ].join('\n'),
      'http://mirror.lab.example/debian',
    ],
    ['only security', 'deb http://security.debian.org/debian-security bookworm-security main', null],
    ['a commented-out line', '# deb http://deb.debian.org/debian bookworm main', null],
    ['a source-package line', 'deb-src http://deb.debian.org/debian bookworm main', null],
    ['a line with no suite', 'deb http://deb.debian.org/debian', null],
    ['a cdrom source', 'deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64 DVD Binary-1]/ bookworm contrib main', null],
    ['a path that merely ends in "debian" text', 'deb http://example.com/notdebian bookworm main', null],
    ['nothing', '', null],
  ])('%s', (_what, text, mirror) => {
    expect(debianMirror(text)).toBe(mirror);
  });

  // Regression (a bug once): any repo whose path ends in /debian is taken for the Debian archive, e.g. Docker's.
  it('skips a third-party repo whose path ends in /debian', () => {
    const text = ['deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable', 'deb http://deb.debian.org/debian bookworm main'].join('\n');
    expect(debianMirror(text)).toBe('http://deb.debian.org/debian');
  });

  // Regression (a bug once): a deb822 stanza switched off with "Enabled: no" is still used.
  it('skips a deb822 stanza with Enabled: no', () => {
    const text = `Types: deb\nURIs: http://old-mirror.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n\n${deb822}`;
    expect(debianMirror(text)).toBe('http://deb.debian.org/debian');
  });
});

describe('hostDebianMirror', () => {
  let apt: string;

  beforeEach(() => {
    apt = mkdtempSync(join(tmpdir(), 'slipway-apt-'));
  });
  afterEach(() => rmSync(apt, { recursive: true, force: true }));

  it('is null for a directory with no sources at all', () => {
    expect(hostDebianMirror(apt)).toBeNull();
    expect(hostDebianMirror(join(apt, 'missing'))).toBeNull();
  });

  it('prefers sources.list', () => {
    writeFileSync(join(apt, 'sources.list'), 'deb http://first.example/debian bookworm main\n');
    mkdirSync(join(apt, 'sources.list.d'));
    writeFileSync(join(apt, 'sources.list.d', 'debian.sources'), deb822);
    expect(hostDebianMirror(apt)).toBe('http://first.example/debian');
  });

  it('falls back to sources.list.d in name order, .list and .sources only', () => {
    writeFileSync(join(apt, 'sources.list'), '# See sources.list.d\n');
    mkdirSync(join(apt, 'sources.list.d'));
    writeFileSync(join(apt, 'sources.list.d', 'a-disabled.list.save'), 'deb http://saved.example/debian bookworm main\n');
    writeFileSync(join(apt, 'sources.list.d', 'b-vscode.list'), 'deb [arch=amd64] https://packages.microsoft.com/repos/code stable main\n');
    writeFileSync(join(apt, 'sources.list.d', 'debian.sources'), deb822);
    writeFileSync(join(apt, 'sources.list.d', 'z-local.list'), 'deb http://z.example/debian bookworm main\n');
    expect(hostDebianMirror(apt)).toBe('http://deb.debian.org/debian');
  });

  it('reads sources.list.d when there is no sources.list, and skips what it cannot read', () => {
    mkdirSync(join(apt, 'sources.list.d'));
    mkdirSync(join(apt, 'sources.list.d', 'a-dir.list'));
    writeFileSync(join(apt, 'sources.list.d', 'b.list'), 'deb [signed-by=/etc/apt/keyrings/lab.gpg] http://mirror.lab.example/debian/ bookworm main\n');
    expect(hostDebianMirror(apt)).toBe('http://mirror.lab.example/debian');
  });
});
