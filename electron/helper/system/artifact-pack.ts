import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGunzip, createGzip } from 'node:zlib';

export interface Digest {
  size: number;
  md5: string;
  sha256: string;
}

/** Hashes whatever flows through it, so raw and compressed sums cost no extra pass. */
class Hasher extends Transform {
  private readonly md5 = createHash('md5');
  private readonly sha256 = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.md5.update(chunk);
    this.sha256.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  digest(): Digest {
    return { size: this.size, md5: this.md5.digest('hex'), sha256: this.sha256.digest('hex') };
  }
}

/** Progress as bytes pass through the hasher: once per `step` bytes. */
function reportProgress(hasher: Hasher, step: number, total: number, onProgress?: (done: number, total: number) => void): void {
  let last = 0;
  hasher.on('data', () => {
    if (onProgress && hasher.size - last >= step) {
      last = hasher.size;
      onProgress(hasher.size, total);
    }
  });
}

/** One read of the raw image: its sums, the gzip stream and the container's sums together. */
export async function packGzip(source: string, dest: string, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<{ raw: Digest; container: Digest }> {
  const total = (await stat(source)).size;
  const raw = new Hasher();
  const container = new Hasher();
  reportProgress(raw, 64 << 20, total, onProgress);
  // 'wx': a link planted at dest fails the write instead of redirecting it.
  await pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), raw, createGzip({ level: constants.Z_DEFAULT_COMPRESSION }), container, createWriteStream(dest, { flags: 'wx' }), ...(signal ? [{ signal }] : []));
  return { raw: raw.digest(), container: container.digest() };
}

export async function digestFile(path: string): Promise<Digest> {
  const hasher = new Hasher();
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hasher, async function (source) {
    for await (const _chunk of source) {
      // drained: only the sums are wanted
    }
  });
  return hasher.digest();
}

/** The inverse of packGzip for a deploy's working copy; progress by compressed bytes read. */
export async function unpackGzip(source: string, dest: string, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<Digest> {
  const total = (await stat(source)).size;
  const read = new Hasher();
  const raw = new Hasher();
  reportProgress(read, 32 << 20, total, onProgress);
  await pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), read, createGunzip(), raw, createWriteStream(dest, { flags: 'wx' }), ...(signal ? [{ signal }] : []));
  return raw.digest();
}

/** The first bytes of a gzip stream: containers are recognised by content, not by name. */
export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}
