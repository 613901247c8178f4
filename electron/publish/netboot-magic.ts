/**
 * Is this plausibly a kernel, an initrd? Files an operator names for a netboot
 * set go into a tree every lab node reads; a wrong path (a key, a config, a
 * disk image) should be refused by name, not published.
 */

const at = (buffer: Buffer, offset: number, magic: string | number[]) => {
  const bytes = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : Buffer.from(magic);
  return buffer.length >= offset + bytes.length && buffer.subarray(offset, offset + bytes.length).equals(bytes);
};

/**
 * x86: "HdrS" at 0x202 (Linux Documentation/arch/x86/boot.rst, the real-mode kernel header);
 * arm64: "ARM\x64" at 0x38 (Documentation/arch/arm64/booting.rst, image header `magic`);
 * riscv: "RSC\x05" at 0x38 (Documentation/arch/riscv/boot-image-header.rst, `magic2`).
 */
export function kernelProblem(head: Buffer): string | null {
  if (at(head, 0x202, 'HdrS') || at(head, 0x38, 'ARM\x64') || at(head, 0x38, 'RSC\x05')) return null;
  return 'is not a Linux kernel image (no x86 "HdrS" boot header, nor an arm64 or riscv Image header)';
}

/**
 * An initramfs is a cpio archive ("070701"/"070702", as the kernel's init/initramfs.c reads; Debian prepends an
 * uncompressed early-microcode cpio), or one compressed by a method the kernel decompresses
 * (lib/decompress.c, compressed_formats[]: gzip, bzip2, lzma, xz, lzo, lz4, zstd).
 */
const initrdMagics: (string | number[])[] = ['070701', '070702', [0x1f, 0x8b], [0x1f, 0x9e], 'BZh', [0x5d, 0x00, 0x00], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x89, 0x4c, 0x5a, 0x4f], [0x02, 0x21, 0x4c, 0x18], [0x28, 0xb5, 0x2f, 0xfd]];

export function initrdProblem(head: Buffer): string | null {
  if (initrdMagics.some((magic) => at(head, 0, magic))) return null;
  return 'is not an initramfs (neither a cpio archive nor gzip, bzip2, lzma, xz, lzo, lz4 or zstd data)';
}

/** squashfs: "hsqs" at 0, the little-endian SQUASHFS_MAGIC 0x73717368 (linux fs/squashfs/squashfs_fs.h). */
export function squashfsProblem(head: Buffer): string | null {
  return at(head, 0, 'hsqs') ? null : 'is not a squashfs image (no "hsqs" superblock magic)';
}
