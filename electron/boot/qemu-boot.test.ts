import { describe, expect, it } from 'vitest';
import type { Runner } from '../process/runner.js';
import { bootInQemu } from './qemu-boot.js';
import { accelerator, qemuArgs } from './qemu-command.js';
import { nextStage, serialText } from './serial-stages.js';

/** A runner that plays serial output as QEMU would print it, then waits to be stopped (or ends by itself). */
function playing(chunks: string[], endsBy: 'abort' | number): Runner {
  return async (_file, _args, options = {}) => {
    let partial = '';
    for (const chunk of chunks) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) options.onLine?.('out', line);
      if (partial) options.onPartial?.('out', partial);
    }
    if (endsBy !== 'abort') return { exitCode: endsBy, stdout: '', stderr: '' };
    if (!options.signal?.aborted) await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
    return { exitCode: null, stdout: '', stderr: '', error: 'cancelled' };
  };
}

const watch = { timeoutMs: 5_000, onSerial: () => undefined, onQemu: () => undefined, onStage: () => undefined };

describe('a QEMU boot watched on its serial console', () => {
  it('sees the login prompt in an unfinished line, and stops QEMU there', async () => {
    const stages: string[] = [];
    const lines: string[] = [];
    const outcome = await bootInQemu(playing(['[    0.000000] Linux version 6.1.0-27-amd64 (gcc)\n', 'Run /init as init process\n', '\x1b[0;32m  OK  \x1b[0m] systemd[1]: Started\n', 'labnode login: '], 'abort'), [], { ...watch, marker: 'login:', onStage: (stage) => stages.push(stage), onSerial: (line) => lines.push(line) });
    expect(outcome).toMatchObject({ status: 'booted', stage: 'booted', exitCode: null, lastLine: 'labnode login: ' });
    expect(lines.at(-1)).toBe('labnode login: ');
    expect(stages).toEqual(['kernel', 'initramfs', 'userspace', 'booted']);
  });

  it('says where it stopped: a panic ends QEMU (-no-reboot) in the kernel; silence times out', async () => {
    const panic = await bootInQemu(playing(['Linux version 6.1.0\n', 'Kernel panic - not syncing: VFS: Unable to mount root fs\n'], 0), [], { ...watch, marker: 'login:' });
    expect(panic).toMatchObject({ status: 'exited', stage: 'kernel', lastLine: 'Kernel panic - not syncing: VFS: Unable to mount root fs', exitCode: 0 });
    const silent = await bootInQemu(playing([], 'abort'), [], { ...watch, marker: 'login:', timeoutMs: 50 });
    expect(silent).toMatchObject({ status: 'timeout', stage: 'firmware', lastLine: null });
  });

  it('stops at a cancel', async () => {
    const cancel = new AbortController();
    const booting = bootInQemu(playing(['Linux version 6.1.0\n'], 'abort'), [], { ...watch, marker: 'login:', signal: cancel.signal });
    setTimeout(() => cancel.abort(), 20);
    expect((await booting).status).toBe('cancelled');
  });

  it('never moves back a stage, and reads serial text without terminal escapes', () => {
    expect(nextStage('userspace', 'Linux version 6.1.0')).toBe('userspace');
    expect(serialText('\x1b[0;1;39mHello\x1b[0m\r')).toBe('Hello');
  });

  it('builds the QEMU argument vector: no defaults, serial on stdio, the disk behind a temporary overlay, PXE from a tap', () => {
    const args = qemuArgs({ accel: 'tcg', memoryMiB: 1024, direct: { kernel: '/k', initrd: '/i', append: 'root=/dev/vda console=ttyS0' }, disks: ['/images/root.img'] });
    expect(args).toEqual(expect.arrayContaining(['-nodefaults', '-serial', 'stdio', '-no-reboot', '-accel', 'tcg', '-kernel', '/k', '-append', 'root=/dev/vda console=ttyS0']));
    expect(args).toContain('file=/images/root.img,format=raw,if=virtio,snapshot=on,index=0');
    expect(() => qemuArgs({ accel: 'tcg', memoryMiB: 512, disks: ['/a,file=/etc/shadow'] })).toThrow(/cannot be named/);
    expect(qemuArgs({ accel: 'kvm', memoryMiB: 512, tap: { ifname: 'tap0', mac: '52:54:00:12:34:56' } })).toContain('virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56,bootindex=1');
    expect(() => qemuArgs({ accel: 'kvm', memoryMiB: 512, tap: { ifname: 'tap0,x', mac: '52:54:00:12:34:56' } })).toThrow(/not an interface/);
  });
});

describe('the accelerator', () => {
  it('is TCG without a usable /dev/kvm or under kvm_pvm, and follows SLIPWAY_QEMU_ACCEL', () => {
    const none = '/nonexistent/slipway-no-such-module';
    expect(accelerator('/nonexistent/kvm', {}, none)).toBe('tcg');
    // /dev/null opens read-write like a usable /dev/kvm would.
    expect(accelerator('/dev/null', {}, none)).toBe('kvm');
    expect(accelerator('/dev/null', {}, '/')).toBe('tcg');
    expect(accelerator('/dev/null', { SLIPWAY_QEMU_ACCEL: 'tcg' }, none)).toBe('tcg');
    expect(accelerator('/nonexistent/kvm', { SLIPWAY_QEMU_ACCEL: 'kvm' }, none)).toBe('kvm');
  });
});
