import { execFileSync } from 'node:child_process';
import { readFileSync, statfsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countCpuList, diskFromStatvfs, factsFromFiles, liveFiles, parseLoadavg, parseMeminfo, parseOsRelease, parseStatic, staticFiles, type LiveTexts, type StaticTexts } from './health-files.js';
import { healthCommand, parseHealth } from './health-probe.js';

const read = <K extends string>(files: Record<K, string>) =>
  Object.fromEntries(Object.entries<string>(files).map(([key, path]) => [key, readFileSync(path, 'utf8')])) as Record<K, string>;

/** This machine's root as statvfs@openssh.com gives it (Node's statfs: f_bsize is the fragment size on Linux). */
function rootStats() {
  const s = statfsSync('/');
  return { f_frsize: s.bsize, f_blocks: s.blocks, f_bfree: s.bfree };
}

describe('health from /proc files', () => {
  it('reads the same facts from this machine\'s files as the shell probe reads with its commands', () => {
    const shell = parseHealth(execFileSync('sh', ['-c', healthCommand], { encoding: 'utf8' }));
    const files = factsFromFiles(parseStatic(read(staticFiles) as StaticTexts), read(liveFiles) as LiveTexts, rootStats());
    for (const key of ['hostname', 'kernel', 'osRelease', 'cpus', 'memTotalBytes', 'rootDiskTotalBytes'] as const) expect(files[key]).toBe(shell[key]);
    // These move between the two reads: the same within what a moment changes.
    expect(Math.abs(files.uptimeSeconds - shell.uptimeSeconds)).toBeLessThan(30);
    expect(Math.abs(files.rootDiskUsedBytes - shell.rootDiskUsedBytes)).toBeLessThan(files.rootDiskTotalBytes / 100);
    expect(Math.abs(files.memAvailableBytes - shell.memAvailableBytes)).toBeLessThan(files.memTotalBytes / 10);
    expect(files.load.every((l, i) => Math.abs(l - shell.load[i]!) < 2)).toBe(true);
  });

  it('counts disk as df -Pk does', () => {
    const [, total, used] = execFileSync('df', ['-Pk', '/'], { encoding: 'utf8' }).split('\n')[1]!.trim().split(/\s+/);
    const disk = diskFromStatvfs(rootStats());
    expect(disk.rootDiskTotalBytes).toBe(Number(total) * 1024);
    expect(Math.abs(disk.rootDiskUsedBytes - Number(used) * 1024)).toBeLessThan(disk.rootDiskTotalBytes / 100);
    expect(diskFromStatvfs({ f_frsize: 4096, f_blocks: 1000, f_bfree: 250 })).toEqual({ rootDiskTotalBytes: 4_096_000, rootDiskUsedBytes: 3_072_000 });
  });

  it('reads CPU lists, os-release quoting, and refuses garbled files', () => {
    expect(countCpuList('0-3,8,10-11\n')).toBe(7);
    expect(countCpuList('0')).toBe(1);
    expect(() => countCpuList('zero')).toThrow(/CPU list/);
    expect(parseOsRelease('NAME=x\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(parseOsRelease("PRETTY_NAME='Alpine Linux v3.19'")).toBe('Alpine Linux v3.19');
    expect(parseOsRelease('PRETTY_NAME="say \\"hi\\""')).toBe('say "hi"');
    expect(parseOsRelease('ID=minimal')).toBe('unknown');
    expect(parseLoadavg('0.52 0.58 0.59 1/467 12345\n')).toEqual([0.52, 0.58, 0.59]);
    expect(() => parseLoadavg('')).toThrow(/not a number/);
    expect(() => parseMeminfo('MemTotl: 1 kB\nMemAvailable: 1 kB')).toThrow(/MemTotal/);
    expect(() => parseStatic({ hostname: 'h', kernel: 'k', osRelease: '', status: 'Name: x' })).toThrow(/Cpus_allowed_list/);
  });
});
