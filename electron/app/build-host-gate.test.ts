import { describe, expect, it } from 'vitest';
import type { BuildHostReport, ToolCheck } from '../../shared/contract/index.js';
import { toolCatalog } from '../readiness/tool-catalog.js';
import { gateRefusal, toolsNeeded } from './build-host-gate.js';

const report = (missing: string[], canBuild = true): BuildHostReport => ({
  node: 'rack1-n03', checkedAt: new Date(0).toISOString(), hostname: 'rack1-n03', installHint: null, ready: false,
  privileges: { uid: 1000, user: 'lab', elevation: canBuild ? 'sudo' : 'none', canBuild, detail: 'sudo asks for a password: give lab NOPASSWD in sudoers, or log in as root' },
  tools: toolCatalog.map((tool): ToolCheck => ({ name: tool.name, debianPackage: tool.debianPackage, required: tool.required, neededBy: [...tool.neededBy], purpose: tool.purpose, found: !missing.includes(tool.name), path: null, version: null })),
});

describe('the build host gate', () => {
  it('needs both bootstraps and the image tools, and zstd only for zstd artifacts', () => {
    const needs = toolsNeeded('gzip');
    expect(needs).toEqual(expect.arrayContaining(['mmdebstrap', 'debootstrap', 'losetup', 'mkfs.ext4', 'chroot']));
    expect(needs).not.toContain('zstd');
    expect(needs).not.toContain('ssh');
    expect(toolsNeeded('zstd')).toContain('zstd');
  });

  it('refuses a host missing a needed tool with the package to install, a host without root with what to do, and lets a ready one through', () => {
    const needs = toolsNeeded('gzip');
    expect(gateRefusal(report(['debootstrap']), needs)).toBe('debootstrap is not installed there: apt-get install debootstrap on rack1-n03');
    expect(gateRefusal(report(['mkfs.ext4', 'resize2fs', 'mmdebstrap']), needs)).toBe('mkfs.ext4, resize2fs, mmdebstrap are not installed there: apt-get install e2fsprogs mmdebstrap on rack1-n03');
    expect(gateRefusal(report([], false), needs)).toBe('no root there: sudo asks for a password: give lab NOPASSWD in sudoers, or log in as root');
    // An optional tool missing is no reason: zstd only for a spec that packs with it.
    expect(gateRefusal(report(['zstd', 'qemu-system-x86_64']), needs)).toBeNull();
  });
});
