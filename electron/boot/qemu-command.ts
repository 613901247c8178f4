import { closeSync, existsSync, openSync } from 'node:fs';

/**
 * KVM where this process can open /dev/kvm and it is full KVM; TCG (emulation) otherwise. A /dev/kvm
 * served by kvm_pvm (the pagetable-based KVM of nested cloud VMs) runs only PVM-enlightened 64-bit
 * kernels: SeaBIOS starts there, but Debian 12's kernel stops right after its real-mode setup ("Probing
 * EDD… ok", then nothing, with -cpu host or max; the same kernel boots under TCG), so it counts as no KVM.
 * SLIPWAY_QEMU_ACCEL=kvm|tcg overrides the choice.
 */
export function accelerator(device = '/dev/kvm', env: NodeJS.ProcessEnv = process.env, pvmModule = '/sys/module/kvm_pvm'): 'kvm' | 'tcg' {
  const forced = env.SLIPWAY_QEMU_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return forced;
  if (existsSync(pvmModule)) return 'tcg';
  try {
    closeSync(openSync(device, 'r+'));
    return 'kvm';
  } catch {
    return 'tcg';
  }
}

export interface QemuMachine {
  accel: 'kvm' | 'tcg';
  memoryMiB: number;
  /** Direct kernel boot: the image's own kernel and initrd, and the command line. */
  direct?: { kernel: string; initrd: string; append: string };
  /** Raw disk images, first is /dev/vda; written to a temporary overlay only (snapshot=on), never to the file. */
  disks?: readonly string[];
  /** A tap device to PXE-boot from (the NIC's iPXE ROM), with this MAC. */
  tap?: { ifname: string; mac: string };
  /** Where QEMU writes its pid: how a later Slipway finds a QEMU whose job died with its process. */
  pidfile?: string;
}

/**
 * The QEMU command line of a boot test, as an argument vector: no default
 * devices, no display, the first serial port on stdio (the job's log), no
 * reboot (a panic ends QEMU instead of looping).
 */
export function qemuArgs(machine: QemuMachine): string[] {
  const args = ['-nodefaults', '-no-user-config', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot'];
  args.push('-accel', machine.accel, '-m', String(machine.memoryMiB), '-smp', '1');
  // TCG runs what a qemu64 CPU offers; `max` gives the guest every feature the emulator has (Debian's kernel wants x86-64-v1 only).
  args.push('-cpu', machine.accel === 'kvm' ? 'host' : 'max');
  if (machine.pidfile) args.push('-pidfile', machine.pidfile);
  if (machine.direct) args.push('-kernel', machine.direct.kernel, '-initrd', machine.direct.initrd, '-append', machine.direct.append);
  for (const [index, disk] of (machine.disks ?? []).entries()) {
    if (/[,=]/.test(disk)) throw new Error(`refused: ${disk} cannot be named on a QEMU -drive option ("," or "=" in the path)`);
    args.push('-drive', `file=${disk},format=raw,if=virtio,snapshot=on,index=${index}`);
  }
  if (machine.tap) {
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(machine.tap.mac)) throw new Error(`refused: ${machine.tap.mac} is not a MAC address`);
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(machine.tap.ifname)) throw new Error(`refused: ${machine.tap.ifname} is not an interface name`);
    args.push('-netdev', `tap,id=n0,ifname=${machine.tap.ifname},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${machine.tap.mac},bootindex=1`);
  }
  return args;
}
