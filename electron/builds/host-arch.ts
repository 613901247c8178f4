const debianArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: 'i386', arm: 'armhf', ppc64: 'ppc64el', s390x: 's390x', riscv64: 'riscv64' };

/** This host's Debian architecture: debootstrap builds for it without emulation. */
export function hostDebianArch(nodeArch: string = process.arch): string {
  return debianArch[nodeArch] ?? nodeArch;
}
