import { describe, expect, it } from 'vitest';
import { parseDpkgStatus } from './dpkg-status.js';

const status = `Package: zlib1g
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 168
Maintainer: Mark Brown <broonie@debian.org>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Provides: libz1
Depends: libc6 (>= 2.14)
Description: compression library - runtime
 zlib is a library implementing the deflate compression method found
 in gzip and PKZIP.  This package includes the shared library.
Homepage: http://zlib.net/

Package: apt
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 4376
Maintainer: APT Development Team <deity@lists.debian.org>
Architecture: amd64
Version: 2.6.1
Replaces: apt-transport-https (<< 1.5~alpha4~), apt-utils (<< 1.3~exp2~)
Conffiles:
 /etc/apt/apt.conf.d/01autoremove ab1a2c1a2b46c9e6b6e3e2a8f8b0f9c4
 /etc/cron.daily/apt-compat 1400ab07a4a2905b04c33e3e93d42b7b
Description: commandline package manager
 This package provides commandline tools for searching and
 managing as well as querying information about packages.

Package: libssl3
Status: deinstall ok config-files
Priority: optional
Section: libs
Architecture: amd64
Version: 3.0.11-1~deb12u2
Config-Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries

Package: base-files
Essential: yes
Status: install ok installed
Priority: required
Section: admin
Architecture: amd64
Version: 12.4+deb12u5
Config-Version: 12.4+deb12u5
Description: Debian base system miscellaneous files

Package: tzdata
Status: install ok unpacked
Architecture: all
Version: 2024a-0+deb12u1
Description: time zone and daylight-saving time data

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.36-9+deb12u7
Description: GNU C Library: Shared libraries
`;

describe('parseDpkgStatus', () => {
  it('lists installed packages sorted by name, without removed or half-installed ones', () => {
    expect(parseDpkgStatus(status)).toEqual([
      { name: 'apt', version: '2.6.1', arch: 'amd64' },
      { name: 'base-files', version: '12.4+deb12u5', arch: 'amd64' },
      { name: 'libc6', version: '2.36-9+deb12u7', arch: 'amd64' },
      { name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64' },
    ]);
  });

  it('reads Version, not Config-Version, whichever comes first', () => {
    const text = 'Package: base-files\nStatus: install ok installed\nConfig-Version: 12.3\nArchitecture: amd64\nVersion: 12.4\n';
    expect(parseDpkgStatus(text)).toEqual([{ name: 'base-files', version: '12.4', arch: 'amd64' }]);
  });

  it.each([
    ['empty text', ''],
    ['only blank lines', '\n\n\n'],
    ['a stanza without Package', 'Status: install ok installed\nVersion: 1\n'],
    ['a stanza without Status', 'Package: foo\nVersion: 1\n'],
    ['a purged package', 'Package: foo\nStatus: purge ok not-installed\n'],
  ])('finds nothing in %s', (_what, text) => {
    expect(parseDpkgStatus(text)).toEqual([]);
  });

  it('keeps a package with no Version or Architecture, with empty fields', () => {
    expect(parseDpkgStatus('Package: odd\nStatus: install ok installed\n')).toEqual([{ name: 'odd', version: '', arch: '' }]);
  });

  it('splits stanzas on blank lines that hold whitespace', () => {
    const text = 'Package: b\nStatus: install ok installed\nVersion: 2\nArchitecture: all\n \nPackage: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n';
    expect(parseDpkgStatus(text).map((p) => `${p.name}=${p.version}`)).toEqual(['a=1', 'b=2']);
  });

  // Regression (a bug once): a package on hold ("hold ok installed") is in the image but left out of the manifest.
  it('lists a held package, which is installed', () => {
    expect(parseDpkgStatus('Package: linux-image-amd64\nStatus: hold ok installed\nArchitecture: amd64\nVersion: 6.1.99-1\n')).toEqual([
      { name: 'linux-image-amd64', version: '6.1.99-1', arch: 'amd64' },
    ]);
  });
});
