import { describe, expect, it } from 'vitest';
import { cacheName, debootstrapSet, firstAlternatives, parsePackages, releaseChecksums } from './debian-index.js';

const stanza = (name: string, fields: Record<string, string>) =>
  [`Package: ${name}`, `Version: ${fields.Version ?? '1.0'}`, `Architecture: ${fields.Architecture ?? 'amd64'}`, ...Object.entries(fields).filter(([k]) => k !== 'Version' && k !== 'Architecture').map(([k, v]) => `${k}: ${v}`), `Filename: pool/main/${name[0]}/${name}/${name}_1.0_amd64.deb`, 'Size: 100', `SHA256: ${'ab'.repeat(32)}`, 'Description: a package', ' with a continued line: not a field'].join('\n');

const index = [
  stanza('base-files', { Priority: 'required', 'Pre-Depends': 'awk' }),
  stanza('mawk', { Priority: 'required', Provides: 'awk' }),
  stanza('dpkg', { Priority: 'required', Depends: 'libc6 (>= 2.36), tar (>= 1.28-1) | busybox', 'Pre-Depends': 'zlib1g:any' }),
  stanza('libc6', { Priority: 'optional', Depends: 'libgcc-s1' }),
  stanza('libgcc-s1', { Priority: 'optional' }),
  stanza('tar', { Priority: 'required' }),
  stanza('busybox', { Priority: 'optional' }),
  stanza('zlib1g', { Priority: 'optional', Version: '1:1.2.13.dfsg-1' }),
  stanza('apt', { Priority: 'important', Depends: 'gpgv | gpgv2' }),
  stanza('gpgv', { Priority: 'optional' }),
  stanza('init-system-helpers', { Priority: 'optional', 'Pre-Depends': 'usrmerge | usr-is-merged' }),
  stanza('usrmerge', { Priority: 'optional', Depends: 'perl' }),
  stanza('usr-is-merged', { Priority: 'optional', Depends: 'init-system-helpers' }),
  stanza('build-essential', { Priority: 'optional', Depends: 'gcc' }),
  stanza('gcc', { Priority: 'optional' }),
  stanza('less', { Priority: 'important' }),
].join('\n\n');

describe('the archive indexes, read as debootstrap reads them', () => {
  it('takes the SHA256 list of a Release file, and only that one', () => {
    const release = ['Origin: Debian', 'MD5Sum:', ` ${'0'.repeat(32)} 12 main/binary-amd64/Packages.gz`, 'SHA256:', ` ${'1'.repeat(64)} 1234 main/binary-amd64/Packages.gz`, ` ${'2'.repeat(64)} 99 main/binary-amd64/Release`, 'Acquire-By-Hash: yes'].join('\n');
    expect([...releaseChecksums(release)]).toEqual([
      ['main/binary-amd64/Packages.gz', { sha256: '1'.repeat(64), size: 1234 }],
      ['main/binary-amd64/Release', { sha256: '2'.repeat(64), size: 99 }],
    ]);
  });

  it('reads a dependency field as pkgdetails GETDEPS does: first alternative, no version, no architecture', () => {
    expect(firstAlternatives('libc6 (>= 2.36), tar (>= 1.28-1) | busybox, zlib1g:any')).toEqual(['libc6', 'tar', 'zlib1g']);
    expect(firstAlternatives('')).toEqual([]);
  });

  it("parses each stanza's fields, continuation lines ignored", () => {
    const packages = parsePackages(index);
    expect(packages.size).toBe(16);
    expect(packages.get('dpkg')).toMatchObject({ version: '1.0', priority: 'required', size: 100, depends: ['zlib1g', 'libc6', 'tar'], filename: 'pool/main/d/dpkg/dpkg_1.0_amd64.deb' });
  });

  it('chooses minbase as debootstrap does: required, apt, their real dependencies; bookworm takes usr-is-merged, never usrmerge', () => {
    const names = (variant: 'minbase' | 'buildd' | 'standard', codename = 'bookworm') => debootstrapSet(parsePackages(index), variant, codename).map((p) => p.name);
    // awk is virtual (mawk provides it): debootstrap resolves it to nothing, and so does this.
    expect(names('minbase')).toEqual(['apt', 'base-files', 'dpkg', 'gpgv', 'init-system-helpers', 'libc6', 'libgcc-s1', 'mawk', 'tar', 'usr-is-merged', 'zlib1g']);
    expect(names('buildd')).toContain('gcc');
    expect(names('standard')).toContain('less');
    expect(names('minbase', 'trixie')).not.toContain('usr-is-merged');
    expect(names('minbase', 'bullseye')).toEqual(expect.arrayContaining(['apt', 'tar']));
  });

  it("names a .deb as debootstrap's cache does: the first colon of the version as %3a", () => {
    expect(cacheName({ name: 'zlib1g', version: '1:1.2.13.dfsg-1', arch: 'amd64' })).toBe('zlib1g_1%3a1.2.13.dfsg-1_amd64.deb');
  });
});
