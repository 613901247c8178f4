import { describe, expect, it } from 'vitest';
import { parseVersion } from './parse-version.js';

describe('parseVersion', () => {
  it.each([
    ['losetup from util-linux 2.38.1', '2.38.1'],
    ['mke2fs 1.47.0 (5-Feb-2023)\n\tUsing EXT2FS Library version 1.47.0', '1.47.0'],
    ['debootstrap 1.0.128+nmu2+deb12u2', '1.0.128+nmu2+deb12u2'],
    ['chroot (GNU coreutils) 9.1\nCopyright (C) 2022', '9.1'],
    ['Usage: foo\nfoo 3.4 build', '3.4'],
  ])('reads %j', (output, version) => {
    expect(parseVersion(output)).toBe(version);
  });

  it('uses a tool-specific pattern', () => {
    expect(parseVersion('OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15', /OpenSSH_([\w.]+)/)).toBe('9.2p1');
  });

  it('says null when there is no version', () => {
    expect(parseVersion('usage: s6-svscan [ -c maxservices ]')).toBeNull();
  });
});
