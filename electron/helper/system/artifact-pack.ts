import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, fsyncSync, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

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

/** A compressor reading the raw image on stdin and writing the container on stdout: fixed flags, no operands. */
export interface Compressor {
  file: string;
  args: string[];
}

const toolDirs = ['/usr/bin', '/bin', '/usr/local/bin'];
const onHost = (name: string) => toolDirs.map((dir) => `${dir}/${name}`).find((path) => existsSync(path)) ?? null;

/**
 * gzip through pigz (all cores, one standard gzip member any gunzip reads),
 * plain gzip where pigz is missing; zstd with a thread per core.
 */
export function compressorFor(container: 'gzip' | 'zstd', find: (name: string) => string | null = onHost): Compressor {
  if (container === 'zstd') return { file: find('zstd') ?? 'zstd', args: ['-T0', '-q', '-c'] };
  const pigz = find('pigz');
  // -n: no name or time stamp in the header (none from stdin anyway), the same bytes for the same image.
  return pigz ? { file: pigz, args: ['-n', '-c'] } : { file: find('gzip') ?? 'gzip', args: ['-n', '-c'] };
}

/** Data written and on the disk: the artifact is renamed into place only once it would survive a crash. */
export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * One read of the raw image: its sums, the compressor's stream and the
 * container's sums together; the container is fsynced before this returns.
 */
export async function packWith(
  compressor: Compressor,
  source: string,
  dest: string,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<{ raw: Digest; container: Digest }> {
  const total = (await stat(source)).size;
  const raw = new Hasher();
  const container = new Hasher();
  reportProgress(raw, 64 << 20, total, onProgress);
  const child = spawn(compressor.file, compressor.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const options = signal ? { signal } : {};
  // 'wx': a link planted at dest fails the write instead of redirecting it.
  const streams = [
    pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), raw, child.stdin, options),
    pipeline(child.stdout, container, createWriteStream(dest, { flags: 'wx' }), options),
    exited,
  ];
  // Each is awaited below; a rejection that lands after another's must not go unhandled.
  for (const stream of streams) stream.catch(() => undefined);
  try {
    await Promise.all(streams);
  } catch (error) {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw error;
  }
  const code = await exited;
  if (code !== 0) throw new Error(`${compressor.file} exited with ${code}: ${stderr.trim()}`);
  fsyncFile(dest);
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

/** A zstd frame's magic number (RFC 8878, 3.1.1: 0xFD2FB528, little-endian). */
export function isZstd(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528;
}
