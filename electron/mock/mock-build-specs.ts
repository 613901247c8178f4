import type { BuildDefaults } from '../../shared/contract/index.js';

/** The spec the Builds view opens with: valid as it stands, and a tour of the schema. */
export const exampleSpec = `# A Debian 12 image for lab compute nodes.
# The mirror is left out: this host's default is used.
name: bookworm-node
suite: bookworm
variant: minbase
arch: amd64
packages:
  - openssh-server
  - iproute2
  - ifupdown
  - chrony
  - linux-image-amd64
images:
  - name: root
    size: 2G
    fsType: ext4
    label: root
    mountPoint: /
  - name: boot
    size: 256M
    fsType: ext2
    label: boot
    mountPoint: /boot
postInstall:
  hostname: labnode
output:
  dir: /var/lib/slipway/images
  container: gzip
`;

/** The real backend's defaults: the images folder, /srv and the temp dir. */
export const mockOutputRoots = ['/var/lib/slipway/images', '/srv', '/tmp'];

export const mockDefaults: BuildDefaults = {
  mirror: 'http://deb.debian.org/debian',
  arch: 'amd64',
  outputDir: '/var/lib/slipway/images',
  workspace: '/var/lib/slipway/work',
  exampleSpec,
};

/** History the mock starts with, so the view is not empty: one image built yesterday, one failed this morning. */
export const seedBuilds = [
  {
    hoursAgo: 26,
    failAt: null,
    specText: `name: bookworm-compute
suite: bookworm
packages: [openssh-server, chrony, iproute2, linux-image-amd64]
images:
  - { name: root, size: 4G, label: root, mountPoint: / }
  - { name: var, size: 1G, label: var, mountPoint: /var }
postInstall:
  hostname: compute
output:
  dir: /var/lib/slipway/images
`,
  },
  {
    hoursAgo: 3,
    failAt: 'install-packages',
    specText: `name: bookworm-gpu
suite: bookworm
packages: [openssh-server, nosuchpkg]
images:
  - { name: root, size: 8G, label: root, mountPoint: / }
output:
  dir: /var/lib/slipway/images
`,
  },
] as const;
