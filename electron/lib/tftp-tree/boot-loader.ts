import { copyFileSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/** The boot loader a TFTP root serves, and where Debian installs it. */
export const bootLoaderFiles = {
  /** The PXE boot file: BIOS pxelinux; TFTP only. */
  'pxelinux.0': '/usr/lib/PXELINUX/pxelinux.0',
  /** Its core module, loaded from the same directory (syslinux 5+). */
  'ldlinux.c32': '/usr/lib/syslinux/modules/bios/ldlinux.c32',
} as const;

/** The boot loader from Debian's pxelinux and syslinux-common, copied in when missing or different. */
export function installBootLoader(root: string, sources: Record<string, string> = bootLoaderFiles): void {
  for (const [name, source] of Object.entries(sources)) {
    if (!existsSync(source)) throw new Error(`${source} is missing: install Debian's pxelinux and syslinux-common (apt-get install pxelinux syslinux-common)`);
    const target = join(root, name);
    const bytes = readFileSync(source);
    if (existsSync(target) && readFileSync(target).equals(bytes)) continue;
    const temp = `${target}.tmp-${process.pid}`;
    copyFileSync(source, temp);
    renameSync(temp, target);
  }
}
