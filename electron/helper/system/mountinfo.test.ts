import { describe, expect, it } from 'vitest';
import { isUnder, mountsUnder, parseMountPoints } from './mountinfo.js';

// As /proc/self/mountinfo prints them: field 5 is the mount point, octal-escaped.
const mountinfo = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro',
  '23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw',
  '24 22 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=8123456k,nr_inodes=2030864,mode=755',
  '60 22 8:17 / /mnt/usb\\040disk rw,relatime shared:30 - vfat /dev/sdb1 rw,fmask=0022',
  '61 22 8:18 / /mnt/tab\\011and\\134back rw,relatime shared:31 - ext4 /dev/sdb2 rw',
  '100 22 7:0 / /srv/ws/builds/b1/root rw,relatime shared:40 - ext4 /dev/loop7 rw',
  '101 100 7:1 / /srv/ws/builds/b1/root/var rw,relatime shared:41 - ext4 /dev/loop8 rw',
  '102 101 7:2 / /srv/ws/builds/b1/root/var/lib/mysql rw,relatime shared:42 - ext4 /dev/loop9 rw',
  '103 100 0:60 / /srv/ws/builds/b1/root/proc rw,relatime shared:43 - proc proc rw',
  '104 22 7:3 / /srv/ws/builds/b10/root rw,relatime shared:44 - ext4 /dev/loop10 rw',
  '',
].join('\n');

describe('parseMountPoints', () => {
  it('reads the mount point field of every line, in mount order, unescaping octal', () => {
    expect(parseMountPoints(mountinfo)).toEqual([
      '/',
      '/proc',
      '/dev',
      '/mnt/usb disk',
      '/mnt/tab\tand\\back',
      '/srv/ws/builds/b1/root',
      '/srv/ws/builds/b1/root/var',
      '/srv/ws/builds/b1/root/var/lib/mysql',
      '/srv/ws/builds/b1/root/proc',
      '/srv/ws/builds/b10/root',
    ]);
  });

  it.each([
    ['', []],
    ['\n\n', []],
    ['1 0 0:1 / /with\\012newline rw - tmpfs none rw', ['/with\nnewline']],
    ['1 0 0:1 / /not\\08octal rw - tmpfs none rw', ['/not\\08octal']],
    ['truncated line', []],
  ])('%j → %j', (text, points) => {
    expect(parseMountPoints(text)).toEqual(points);
  });
});

describe('isUnder', () => {
  it.each([
    ['/a/b', '/a/b', true],
    ['/a/b/c', '/a/b', true],
    ['/a/b/c/d', '/a/b', true],
    ['/a/bc', '/a/b', false],
    ['/a/b-c', '/a/b', false],
    ['/a', '/a/b', false],
    ['/x/a/b', '/a/b', false],
    ['/a/b/c', '/a/b/', true],
    ['/a/b/', '/a/b', true],
    ['/anything', '/', true],
    ['/', '/', true],
  ])('isUnder(%j, %j) is %s', (path, dir, under) => {
    expect(isUnder(path, dir)).toBe(under);
  });

  // Regression (a bug once): the directory itself, when dir is written with a trailing slash, is not "under" it.
  it('counts a directory as under itself when dir has a trailing slash', () => {
    expect(isUnder('/a/b', '/a/b/')).toBe(true);
  });
});

describe('mountsUnder', () => {
  it('lists mounts at or under the directory, deepest first', () => {
    expect(mountsUnder('/srv/ws/builds/b1', mountinfo)).toEqual([
      '/srv/ws/builds/b1/root/proc',
      '/srv/ws/builds/b1/root/var/lib/mysql',
      '/srv/ws/builds/b1/root/var',
      '/srv/ws/builds/b1/root',
    ]);
  });

  it('includes a mount at the directory itself, and not a sibling whose name merely starts the same', () => {
    expect(mountsUnder('/srv/ws/builds/b1/root/var', mountinfo)).toEqual(['/srv/ws/builds/b1/root/var/lib/mysql', '/srv/ws/builds/b1/root/var']);
    expect(mountsUnder('/srv/ws/builds/b10', mountinfo)).toEqual(['/srv/ws/builds/b10/root']);
  });

  it('matches escaped mount points by their real name, and is empty when nothing is mounted there', () => {
    expect(mountsUnder('/mnt/usb disk', mountinfo)).toEqual(['/mnt/usb disk']);
    expect(mountsUnder('/srv/ws/builds/b2', mountinfo)).toEqual([]);
    expect(mountsUnder('/srv/ws', '')).toEqual([]);
  });

  it('reads this process\'s own mount table by default', () => {
    expect(mountsUnder('/')).toContain('/');
  });
});
