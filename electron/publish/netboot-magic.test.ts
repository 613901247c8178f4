import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { initrdProblem, kernelProblem } from './netboot-magic.js';
import { fakeInitrd, fakeKernel } from './test-support/netboot-files.js';

describe('netboot file checks (finding 10)', () => {
  it('takes x86, arm64 and riscv kernel headers', () => {
    expect(kernelProblem(fakeKernel('a'))).toBeNull();
    const arm64 = Buffer.alloc(0x40);
    arm64.write('ARM\x64', 0x38, 'latin1');
    expect(kernelProblem(arm64)).toBeNull();
    const riscv = Buffer.alloc(0x40);
    riscv.write('RSC\x05', 0x38, 'latin1');
    expect(kernelProblem(riscv)).toBeNull();
  });

  it('refuses what is not a kernel: a password file, an empty file, an initrd', () => {
    expect(kernelProblem(readFileSync('/etc/passwd'))).toMatch(/is not a Linux kernel image/);
    expect(kernelProblem(Buffer.alloc(0))).toMatch(/is not a Linux kernel image/);
    expect(kernelProblem(fakeInitrd('x'))).toMatch(/is not a Linux kernel image/);
  });

  it('takes cpio archives and the compressions the kernel unpacks; refuses anything else', () => {
    expect(initrdProblem(fakeInitrd('a'))).toBeNull();
    expect(initrdProblem(gzipSync('070701'))).toBeNull();
    expect(initrdProblem(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBeNull();
    expect(initrdProblem(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toBeNull();
    expect(initrdProblem(readFileSync('/etc/passwd'))).toMatch(/is not an initramfs/);
    expect(initrdProblem(fakeKernel('k'))).toMatch(/is not an initramfs/);
  });
});
