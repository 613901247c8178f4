#!/usr/bin/env bash
# The anchor for bench/build: the same image build as Slipway's pipeline, as a
# plain shell script (what an operator would otherwise write), no cleanup
# journal, no progress, no cache. Usage: build-anchor.sh WORKDIR OUTDIR MIRROR
set -euo pipefail
work=$1 out=$2 mirror=$3
img=$work/root.img root=$work/root
mkdir -p "$work" "$out" "$root"
truncate -s 1G "$img"
dev=$(losetup --find --show "$img")
trap 'umount "$root/proc" 2>/dev/null || true; umount "$root" 2>/dev/null || true; losetup -d "$dev" 2>/dev/null || true' EXIT
mkfs -t ext4 -F -q -O ^has_journal -L root -E nodiscard "$dev"
mount -t ext4 "$dev" "$root"
debootstrap --variant=minbase --arch=amd64 bookworm "$root" "$mirror" >/dev/null
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
echo "deb $mirror bookworm main" > "$root/etc/apt/sources.list"
mount -t proc proc "$root/proc"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hello >/dev/null 2>&1
chroot "$root" apt-get clean
echo bench > "$root/etc/hostname"
rm -f "$root/usr/sbin/policy-rc.d"
umount "$root/proc"
umount "$root"
losetup -d "$dev"
trap - EXIT
tune2fs -O has_journal "$img" >/dev/null
e2fsck -f -y "$img" >/dev/null 2>&1 || [ $? -eq 1 ]
resize2fs -M "$img" >/dev/null 2>&1
blocks=$(dumpe2fs -h "$img" 2>/dev/null | awk -F: '/^Block count/ {gsub(/ /,"",$2); print $2}')
bsize=$(dumpe2fs -h "$img" 2>/dev/null | awk -F: '/^Block size/ {gsub(/ /,"",$2); print $2}')
truncate -s $((blocks * bsize)) "$img"
md5sum "$img" > "$out/raw.md5"; sha256sum "$img" > "$out/raw.sha256"
gzip -c "$img" > "$out/anchor.root.img.gz"
md5sum "$out/anchor.root.img.gz" > "$out/container.md5"; sha256sum "$out/anchor.root.img.gz" > "$out/container.sha256"
rm -rf "$work"
