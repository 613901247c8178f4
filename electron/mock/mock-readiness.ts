import type { ReadinessReport, ToolCheck } from '../../shared/contract/index.js';

/** A plausible lab console host: everything present but s6, found later in the probe order. */
export const mockTools: ToolCheck[] = [
  { name: 'losetup', found: true, path: '/usr/sbin/losetup', version: '2.38.1', debianPackage: 'mount', required: true, neededBy: ['builds'], purpose: 'attach image files to loop devices' },
  { name: 'mount', found: true, path: '/usr/bin/mount', version: '2.38.1', debianPackage: 'mount', required: true, neededBy: ['builds', 'publish'], purpose: 'mount image file systems and overlays' },
  { name: 'mkfs.ext4', found: true, path: '/usr/sbin/mkfs.ext4', version: '1.47.0', debianPackage: 'e2fsprogs', required: true, neededBy: ['builds'], purpose: 'create image file systems' },
  { name: 'resize2fs', found: true, path: '/usr/sbin/resize2fs', version: '1.47.0', debianPackage: 'e2fsprogs', required: true, neededBy: ['builds'], purpose: 'shrink finished images' },
  { name: 'debootstrap', found: true, path: '/usr/sbin/debootstrap', version: '1.0.128+nmu2+deb12u2', debianPackage: 'debootstrap', required: true, neededBy: ['builds'], purpose: 'install a Debian base system' },
  { name: 'chroot', found: true, path: '/usr/sbin/chroot', version: '9.1', debianPackage: 'coreutils', required: true, neededBy: ['builds'], purpose: 'run apt-get inside the image' },
  { name: 'gzip', found: true, path: '/usr/bin/gzip', version: '1.12', debianPackage: 'gzip', required: true, neededBy: ['builds'], purpose: 'compress image artifacts' },
  { name: 'ssh', found: true, path: '/usr/bin/ssh', version: '9.2p1', debianPackage: 'openssh-client', required: true, neededBy: ['nodes', 'applications'], purpose: 'reach lab nodes' },
  { name: 's6-svscan', found: false, path: null, version: null, debianPackage: 's6', required: false, neededBy: ['containers'], purpose: 'supervise containers on local test nodes' },
];

export function mockReport(hostname: string, checkedAt: Date): ReadinessReport {
  return {
    checkedAt: checkedAt.toISOString(),
    hostname,
    tools: mockTools,
    privileges: { uid: 1000, user: 'operator', elevation: 'sudo', canBuild: true, detail: 'not root: the build helper runs through sudo -n' },
    installHint: 'apt-get install s6',
    ready: true,
  };
}
