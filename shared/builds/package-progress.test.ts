import { describe, expect, it } from 'vitest';
import { PackageProgressReader } from './package-progress.js';

const feed = (reader: PackageProgressReader, lines: string[]) => lines.map((line) => reader.line(line)).filter((p) => p !== null);

describe('package progress', () => {
  it('counts debootstrap packages: retrieved without a total, then unpacked and configured out of what was retrieved', () => {
    const reader = new PackageProgressReader('debootstrap');
    const seen = feed(reader, [
      'I: Retrieving InRelease ',
      'I: Retrieving Packages ',
      'I: Validating Packages ',
      'I: Retrieving libacl1 2.3.1-3',
      'I: Validating libacl1 2.3.1-3',
      'I: Retrieving libc6 2.36-9+deb12u7',
      'I: Extracting libacl1...',
      'I: Unpacking required packages...',
      'I: Unpacking libacl1:amd64...',
      'I: Unpacking libc6:amd64...',
      'I: Configuring required packages...',
      'I: Configuring libc6:amd64...',
      'I: Configuring the base system...',
      'I: Configuring libacl1:amd64...',
      'I: Base system installed successfully.',
    ]);
    expect(seen).toEqual([
      { done: 0, total: 0, message: 'retrieved 1 packages' },
      { done: 0, total: 0, message: 'retrieved 2 packages' },
      { done: 1, total: 4, message: 'unpacked 1 of 2 packages' },
      { done: 2, total: 4, message: 'unpacked 2 of 2 packages' },
      { done: 3, total: 4, message: 'configured 1 of 2 packages' },
      { done: 4, total: 4, message: 'configured 2 of 2 packages' },
    ]);
  });

  it('counts mmdebstrap packages (dpkg lines) out of the set the helper announced, once each across its apt plans', () => {
    const reader = new PackageProgressReader('debootstrap');
    const seen = feed(reader, [
      'mmdebstrap: 2 verified .deb(s) from the cache; apt downloads only what is missing',
      'I: downloading packages with apt...',
      '0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.',
      'Unpacking usr-is-merged (1) ...',
      'Unpacking libc6:amd64 (2.36-9+deb12u7) ...',
      'Setting up libc6:amd64 (2.36-9+deb12u7) ...',
      '0 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.',
      'Unpacking usr-is-merged (37~deb12u1) over (1) ...',
      'Setting up usr-is-merged (37~deb12u1) ...',
    ]);
    expect(seen).toEqual([
      { done: 1, total: 4, message: 'unpacked 1 of 2 packages' },
      { done: 2, total: 4, message: 'unpacked 2 of 2 packages' },
      { done: 3, total: 4, message: 'configured 1 of 2 packages' },
      { done: 4, total: 4, message: 'configured 2 of 2 packages' },
    ]);
  });

  it('counts mmdebstrap packages without a fraction when nothing announced the set', () => {
    const reader = new PackageProgressReader('debootstrap');
    expect(feed(reader, ['Unpacking base-files (12.4+deb12u5) ...', 'Setting up base-files (12.4+deb12u5) ...'])).toEqual([
      { done: 0, total: 0, message: 'unpacked 1, configured 0 packages' },
      { done: 0, total: 0, message: 'unpacked 1, configured 1 packages' },
    ]);
  });

  it('counts apt-get packages from its plan, its Unpacking and Setting up lines', () => {
    const reader = new PackageProgressReader('apt');
    const seen = feed(reader, [
      'Reading package lists...',
      '0 upgraded, 2 newly installed, 0 to remove and 0 not upgraded.',
      'Get:1 http://deb.debian.org/debian bookworm/main amd64 hello amd64 2.10-3 [57.0 kB]',
      'Unpacking hello (2.10-3) ...',
      'Unpacking less (590-2) ...',
      'Setting up hello (2.10-3) ...',
      'Setting up less (590-2) ...',
      'Processing triggers for man-db (2.11.2-2) ...',
    ]);
    expect(seen.map((p) => [p.done, p.total, p.message])).toEqual([
      [0, 4, 'set up 0 of 2 packages'],
      [1, 4, 'unpacked 1 of 2 packages'],
      [2, 4, 'unpacked 2 of 2 packages'],
      [3, 4, 'set up 1 of 2 packages'],
      [4, 4, 'set up 2 of 2 packages'],
    ]);
  });
});
