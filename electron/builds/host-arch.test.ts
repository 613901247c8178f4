import { describe, expect, it } from 'vitest';
import { hostDebianArch } from './host-arch.js';

describe('hostDebianArch', () => {
  it.each([
    ['x64', 'amd64'],
    ['arm64', 'arm64'],
    ['ia32', 'i386'],
    ['arm', 'armhf'],
    ['ppc64', 'ppc64el'],
    ['s390x', 's390x'],
    ['riscv64', 'riscv64'],
    ['loong64', 'loong64'],
    ['mips', 'mips'],
  ])('node %s → debian %s', (node, debian) => {
    expect(hostDebianArch(node)).toBe(debian);
  });

  it('defaults to this process\'s architecture, as a valid Debian name', () => {
    expect(hostDebianArch()).toBe(hostDebianArch(process.arch));
    expect(hostDebianArch()).toMatch(/^[a-z0-9]+$/);
  });
});
