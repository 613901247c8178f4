import type { Capability } from '../../shared/contract/index.js';

export interface ToolSpec {
  name: string;
  debianPackage: string;
  required: boolean;
  neededBy: Capability[];
  purpose: string;
  /** Arguments that make the tool print its version; null when it has none (the package version is used). */
  versionArgs: string[] | null;
  /** First capture group (or whole match) is the version. */
  versionPattern?: RegExp;
}

/** What Slipway runs on this host, and the Debian package each comes from. */
export const toolCatalog: readonly ToolSpec[] = [
  { name: 'losetup', debianPackage: 'mount', required: true, neededBy: ['builds'], purpose: 'attach image files to loop devices', versionArgs: ['--version'] },
  { name: 'mount', debianPackage: 'mount', required: true, neededBy: ['builds', 'publish'], purpose: 'mount image file systems and overlays', versionArgs: ['--version'] },
  { name: 'mkfs.ext4', debianPackage: 'e2fsprogs', required: true, neededBy: ['builds'], purpose: 'create image file systems', versionArgs: ['-V'] },
  // resize2fs has no version flag; run bare it prints its version above the usage.
  { name: 'resize2fs', debianPackage: 'e2fsprogs', required: true, neededBy: ['builds'], purpose: 'shrink finished images', versionArgs: [] },
  { name: 'mmdebstrap', debianPackage: 'mmdebstrap', required: true, neededBy: ['builds'], purpose: 'install a Debian base system (the default bootstrap)', versionArgs: ['--version'] },
  { name: 'debootstrap', debianPackage: 'debootstrap', required: true, neededBy: ['builds'], purpose: 'install a Debian base system (bootstrap: debootstrap; its functions set up merged /usr)', versionArgs: ['--version'] },
  { name: 'chroot', debianPackage: 'coreutils', required: true, neededBy: ['builds'], purpose: 'run apt-get inside the image', versionArgs: ['--version'] },
  { name: 'gzip', debianPackage: 'gzip', required: true, neededBy: ['builds'], purpose: 'compress image artifacts', versionArgs: ['--version'] },
  { name: 'pigz', debianPackage: 'pigz', required: false, neededBy: ['builds'], purpose: 'gzip artifacts on every core (optional: plain gzip otherwise, slower)', versionArgs: ['--version'] },
  { name: 'zstd', debianPackage: 'zstd', required: false, neededBy: ['builds'], purpose: 'make container: zstd artifacts (optional: only for specs that ask for zstd)', versionArgs: ['--version'] },
  { name: 'ssh', debianPackage: 'openssh-client', required: true, neededBy: ['nodes', 'applications'], purpose: 'reach lab nodes', versionArgs: ['-V'], versionPattern: /OpenSSH_([\w.]+)/ },
  { name: 's6-svscan', debianPackage: 's6', required: false, neededBy: ['containers'], purpose: 'supervise containers on local test nodes', versionArgs: null },
  { name: 'mksquashfs', debianPackage: 'squashfs-tools', required: false, neededBy: ['publish'], purpose: 'make the root image of a netboot publish', versionArgs: ['-version'] },
  { name: 'dnsmasq', debianPackage: 'dnsmasq-base', required: false, neededBy: ['publish'], purpose: 'serve netboot files over TFTP (and PXE proxy-DHCP)', versionArgs: ['--version'], versionPattern: /Dnsmasq version ([\w.]+)/ },
  { name: 'qemu-system-x86_64', debianPackage: 'qemu-system-x86', required: false, neededBy: ['builds'], purpose: 'boot-test built images (slipway boot)', versionArgs: ['--version'] },
];

/** Where root tools live; a non-root PATH often lacks the sbin directories. */
export const extraSearchDirs = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
