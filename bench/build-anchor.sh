#!/usr/bin/env bash
# The anchor for bench/build: the same image build as Slipway's pipeline, as a
# plain shell script (what an operator would otherwise write), no cleanup
# journal, no progress, no cache. Usage: build-anchor.sh WORKDIR OUTDIR MIRROR
# With ANCHOR_STEPS=FILE set, each step's seconds go there as "step-id seconds"
# lines (the step ids of Slipway's pipeline, so bench/build can set them side by side).
set -euo pipefail
work=$1 out=$2 mirror=$3
img=$work/root.img root=$work/root
steps_file=${ANCHOR_STEPS:-/dev/null}
step_id='' step_t0=''
# step ID: ends the step running (its seconds to $steps_file) and starts ID; "step" alone ends the last.
step() {
  local t; t=$(date +%s.%N)
  [ -z "$step_id" ] || awk -v id="$step_id" -v a="$step_t0" -v b="$t" 'BEGIN { printf "%s %.2f\n", id, b - a }' >>"$steps_file"
  step_id=${1:-} step_t0=$t
}
step sparse-files
mkdir -p "$work" "$out" "$root"
truncate -s 1G "$img"
step loop-devices
dev=$(losetup --find --show "$img")
trap 'umount "$root/proc" 2>/dev/null || true; umount "$root" 2>/dev/null || true; losetup -d "$dev" 2>/dev/null || true' EXIT
step mkfs
mkfs -t ext4 -F -q -O ^has_journal -L root -E nodiscard "$dev"
step mount
mount -t ext4 "$dev" "$root"
step debootstrap
debootstrap --variant=minbase --arch=amd64 bookworm "$root" "$mirror" >/dev/null
step install-packages
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
echo "deb $mirror bookworm main" > "$root/etc/apt/sources.list"
mount -t proc proc "$root/proc"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hello >/dev/null 2>&1
chroot "$root" apt-get clean
step post-install
echo bench > "$root/etc/hostname"
rm -f "$root/usr/sbin/policy-rc.d"
step unmount
umount "$root/proc"
umount "$root"
step detach
losetup -d "$dev"
trap - EXIT
step shrink
tune2fs -O has_journal "$img" >/dev/null
e2fsck -f -y "$img" >/dev/null 2>&1 || [ $? -eq 1 ]
resize2fs -M "$img" >/dev/null 2>&1
blocks=$(dumpe2fs -h "$img" 2>/dev/null | awk -F: '/^Block count/ {gsub(/ /,"",$2); print $2}')
bsize=$(dumpe2fs -h "$img" 2>/dev/null | awk -F: '/^Block size/ {gsub(/ /,"",$2); print $2}')
truncate -s $((blocks * bsize)) "$img"
step compress
md5sum "$img" > "$out/raw.md5"; sha256sum "$img" > "$out/raw.sha256"
gzip -c "$img" > "$out/anchor.root.img.gz"
md5sum "$out/anchor.root.img.gz" > "$out/container.md5"; sha256sum "$out/anchor.root.img.gz" > "$out/container.sha256"
step publish
rm -rf "$work"
step
