import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NetbootFiles {
  kernel: string;
  initrd: string;
  kernelName: string;
  /** The root image (squashfs) with its sha256, for images that can boot diskless. */
  root?: { path: string; sha256: string };
  /** What the image lacks to boot diskless (null: nothing). */
  diskless: string | null;
}

/**
 * Kernel, initrd and root image already taken out of a built image, by the image's
 * sha256: unpacking a gzip image to read /boot costs seconds per gigabyte,
 * and a republish of the same build should cost nothing.
 */
export class NetbootCache {
  constructor(
    private readonly dir: string,
    private readonly keep = 8,
  ) {}

  get(imageSha256: string): NetbootFiles | null {
    const entry = join(this.dir, imageSha256);
    if (!existsSync(join(entry, 'kernel-name'))) return null;
    const read = (name: string) => (existsSync(join(entry, name)) ? readFileSync(join(entry, name), 'utf8') : null);
    const rootSha = read('root.sha256');
    return {
      kernel: join(entry, 'kernel'),
      initrd: join(entry, 'initrd'),
      kernelName: read('kernel-name')!,
      diskless: read('diskless'),
      ...(rootSha ? { root: { path: join(entry, 'root.squashfs'), sha256: rootSha } } : {}),
    };
  }

  /** Copied in under a temp name and renamed: a reader sees a whole entry or none. */
  put(imageSha256: string, files: NetbootFiles): NetbootFiles {
    mkdirSync(this.dir, { recursive: true });
    const entry = join(this.dir, imageSha256);
    const temp = `${entry}.tmp-${process.pid}`;
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp);
    copyFileSync(files.kernel, join(temp, 'kernel'));
    copyFileSync(files.initrd, join(temp, 'initrd'));
    writeFileSync(join(temp, 'kernel-name'), files.kernelName);
    if (files.diskless !== null) writeFileSync(join(temp, 'diskless'), files.diskless);
    if (files.root) {
      copyFileSync(files.root.path, join(temp, 'root.squashfs'));
      writeFileSync(join(temp, 'root.sha256'), files.root.sha256);
    }
    rmSync(entry, { recursive: true, force: true });
    renameSync(temp, entry);
    this.prune();
    return this.get(imageSha256)!;
  }

  private prune(): void {
    const entries = readdirSync(this.dir)
      .filter((name) => !name.includes('.tmp-'))
      .map((name) => ({ name, at: statSync(join(this.dir, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of entries.slice(this.keep)) rmSync(join(this.dir, old.name), { recursive: true, force: true });
  }
}
