import { SlipwayError, type BuildHostReport, type NodeStatus, type ReadinessReport, type ToolCheck } from '../../shared/contract/index.js';
import { refuseUnlessBuildHost } from '../readiness/build-host-readiness.js';
import { installHint } from '../readiness/probe-tool.js';

/** A plausible lab console host: everything present but s6, found later in the probe order. */
export const mockTools: ToolCheck[] = [
  { name: 'losetup', found: true, path: '/usr/sbin/losetup', version: '2.38.1', debianPackage: 'mount', required: true, neededBy: ['builds'], purpose: 'attach image files to loop devices' },
  { name: 'mount', found: true, path: '/usr/bin/mount', version: '2.38.1', debianPackage: 'mount', required: true, neededBy: ['builds', 'publish'], purpose: 'mount image file systems and overlays' },
  { name: 'mkfs.ext4', found: true, path: '/usr/sbin/mkfs.ext4', version: '1.47.0', debianPackage: 'e2fsprogs', required: true, neededBy: ['builds'], purpose: 'create image file systems' },
  { name: 'resize2fs', found: true, path: '/usr/sbin/resize2fs', version: '1.47.0', debianPackage: 'e2fsprogs', required: true, neededBy: ['builds'], purpose: 'shrink finished images' },
  { name: 'mmdebstrap', found: true, path: '/usr/bin/mmdebstrap', version: '1.3.5', debianPackage: 'mmdebstrap', required: true, neededBy: ['builds'], purpose: 'install a Debian base system (the default bootstrap)' },
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

/**
 * A build host's readiness in the mocked lab, refused as the real probe refuses:
 * a node without the label before anything runs, a node that does not answer
 * with its last error. rack2-n02 lacks debootstrap, so it is not ready.
 */
export function mockBuildHostReport(statuses: readonly NodeStatus[], name: string, checkedAt: Date): BuildHostReport {
  const status = statuses.find((s) => s.spec.name === name);
  if (!status) throw new SlipwayError('bad_request', `no node named ${name} in the inventory`, 'name');
  refuseUnlessBuildHost(status.spec);
  if (status.state !== 'reachable') throw new SlipwayError('failed', status.errors.at(-1)?.message ?? `${name} is ${status.state}`);
  const tools = name === 'rack2-n02' ? mockTools.map((tool) => (tool.name === 'debootstrap' ? { ...tool, found: false, path: null, version: null } : tool)) : mockTools;
  return {
    ...mockReport(status.facts?.hostname ?? name, checkedAt),
    node: name,
    tools,
    privileges: { uid: 0, user: 'root', elevation: 'root', canBuild: true, detail: 'root: the build helper runs as it is' },
    installHint: installHint(tools),
    ready: tools.every((tool) => tool.found || !tool.required),
  };
}
