import type { InstalledPackage } from '../../shared/contract/index.js';
/**
 * Debian 12 packages with the versions bookworm shipped, so scripted build
 * logs read like real ones. "name version" pairs, separated by commas.
 */
const required = `
adduser 3.134, apt 2.6.1, base-files 12.4+deb12u7, base-passwd 3.6.1, bash 5.2.15-2+b7,
bsdutils 1:2.38.1-5+deb12u1, coreutils 9.1-1, dash 0.5.12-2, debconf 1.5.82,
debian-archive-keyring 2023.3+deb12u1, debianutils 5.7-0.5~deb12u1, diffutils 1:3.8-4, dpkg 1.21.22,
e2fsprogs 1.47.0-2, findutils 4.9.0-4, gcc-12-base 12.2.0-14, gpgv 2.2.40-1.1, grep 3.8-5, gzip 1.12-1,
hostname 3.23+nmu1, init-system-helpers 1.65.2, libacl1 2.3.1-3, libapt-pkg6.0 2.6.1, libattr1 1:2.5.1-4,
libaudit-common 1:3.0.9-1, libaudit1 1:3.0.9-1, libblkid1 2.38.1-5+deb12u1, libbz2-1.0 1.0.8-5+b1,
libc-bin 2.36-9+deb12u7, libc6 2.36-9+deb12u7, libcap-ng0 0.8.3-1+b3, libcap2 1:2.66-4,
libcom-err2 1.47.0-2, libcrypt1 1:4.4.33-2, libdb5.3 5.3.28+dfsg2-1, libdebconfclient0 0.270,
libext2fs2 1.47.0-2, libffi8 3.4.4-1, libgcc-s1 12.2.0-14, libgcrypt20 1.10.1-3, libgmp10 2:6.2.1+dfsg1-1.1,
libgnutls30 3.7.9-2+deb12u3, libgpg-error0 1.46-1, libhogweed6 3.8.1-2, libidn2-0 2.3.3-1+b1,
liblz4-1 1.9.4-1, liblzma5 5.4.1-0.2, libmd0 1.0.4-2, libmount1 2.38.1-5+deb12u1, libnettle8 3.8.1-2,
libp11-kit0 0.24.1-2, libpam-modules 1.5.2-6+deb12u1, libpam-modules-bin 1.5.2-6+deb12u1,
libpam-runtime 1.5.2-6+deb12u1, libpam0g 1.5.2-6+deb12u1, libpcre2-8-0 10.42-1, libseccomp2 2.5.4-1+b3,
libselinux1 3.4-1+b6, libsemanage-common 3.4.1-1, libsemanage2 3.4.1-1+b1, libsepol2 3.4-2.1,
libsmartcols1 2.38.1-5+deb12u1, libss2 1.47.0-2, libssl3 3.0.14-1~deb12u2, libstdc++6 12.2.0-14,
libsystemd0 252.30-1~deb12u2, libtasn1-6 4.19.0-2, libtinfo6 6.4-4, libudev1 252.30-1~deb12u2,
libunistring2 1.0-2, libuuid1 2.38.1-5+deb12u1, libxxhash0 0.8.1-1, libzstd1 1.5.4+dfsg2-5,
login 1:4.13+dfsg1-1+b1, logsave 1.47.0-2, mawk 1.3.4.20200120-3.1, mount 2.38.1-5+deb12u1,
ncurses-base 6.4-4, ncurses-bin 6.4-4, passwd 1:4.13+dfsg1-1+b1, perl-base 5.36.0-7+deb12u1, sed 4.9-1,
sysvinit-utils 3.06-4, tar 1.34+dfsg-1.2+deb12u1, tzdata 2024a-0+deb12u1, usr-is-merged 37~deb12u1,
util-linux 2.38.1-5+deb12u1, util-linux-extra 2.38.1-5+deb12u1, zlib1g 1:1.2.13.dfsg-1
`;

/** What `apt-get install` pulls in next to the spec's own packages. */
const dependencies = `
ca-certificates 20230311, chrony 4.3-2+deb12u1, cpio 2.13+dfsg-7.1, dbus 1.14.10-1~deb12u1,
firmware-linux-free 20200122-1, ifupdown 0.8.41, initramfs-tools 0.142, initramfs-tools-core 0.142,
iproute2 6.1.0-3, kmod 30+20221128-1, klibc-utils 2.0.12-1, libbpf1 1:1.1.0-1, libbsd0 0.11.7-2,
libcbor0.8 0.8.0-2+b1, libedit2 3.1-20221030-2, libelf1 0.188-2.1, libexpat1 2.5.0-1+deb12u1,
libfido2-1 1.12.0-2+b1, libgssapi-krb5-2 1.20.1-2+deb12u2, libk5crypto3 1.20.1-2+deb12u2,
libklibc 2.0.12-1, libkmod2 30+20221128-1, libkrb5-3 1.20.1-2+deb12u2, libkrb5support0 1.20.1-2+deb12u2,
libmnl0 1.0.4-3, libnsl2 1.3.0-2, libpci3 1:3.9.0-4, libproc2-0 2:4.0.2-3, libwrap0 7.6.q-32,
libxtables12 1.8.9-2, linux-base 4.9, linux-image-6.1.0-28-amd64 6.1.119-1, linux-image-amd64 6.1.119-1,
openssh-client 1:9.2p1-2+deb12u3, openssh-server 1:9.2p1-2+deb12u3, openssh-sftp-server 1:9.2p1-2+deb12u3,
openssl 3.0.14-1~deb12u2, pci.ids 0.0~2023.04.11-1, procps 2:4.0.2-3, runit-helper 2.15.2, sensible-utils 0.0.17+nmu1,
systemd 252.30-1~deb12u2, systemd-sysv 252.30-1~deb12u2, systemd-timesyncd 252.30-1~deb12u2, ucf 3.0043+nmu1,
udev 252.30-1~deb12u2, zstd 1.5.4+dfsg2-5
`;

export interface DebianPackage {
  name: string;
  version: string;
}

function parseList(text: string): DebianPackage[] {
  return text
    .split(',')
    .map((entry) => entry.trim().split(/\s+/))
    .filter((parts): parts is [string, string] => parts.length === 2)
    .map(([name, version]) => ({ name, version }));
}

export const requiredPackages = parseList(required);
export const dependencyPackages = parseList(dependencies);

/** The version to print for a package the spec names: bookworm's when known, a plausible one otherwise. */
export function versionOf(name: string): string {
  const bare = name.split('=')[0] ?? name;
  const pinned = name.includes('=') ? name.slice(name.indexOf('=') + 1) : null;
  return pinned ?? [...requiredPackages, ...dependencyPackages].find((p) => p.name === bare)?.version ?? '1.0-1';
}

/** What a mock build installed, as dpkg would list it: debootstrap's required set, then the spec's packages and their dependencies. */
export function mockManifest(packages: readonly string[]): InstalledPackage[] {
  const wanted = packages.map((p) => ({ name: p.split('=')[0] ?? p, version: versionOf(p) }));
  const extra = wanted.length === 0 ? [] : dependencyPackages.filter((d) => !wanted.some((w) => w.name === d.name));
  const all = new Map([...requiredPackages, ...extra, ...wanted].map((p) => [p.name, { name: p.name, version: p.version, arch: 'amd64' }]));
  return [...all.values()];
}
