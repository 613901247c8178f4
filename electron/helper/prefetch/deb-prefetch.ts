import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Runner } from '../../process/runner.js';
import { cacheName, debootstrapSet, parsePackages, releaseChecksums, type Package } from './debian-index.js';

/**
 * debootstrap fetches its .debs one at a time, a new connection each (wget per
 * file): on a cold build that is most of its time. Started beside it, this
 * fetches the same set (chosen as debootstrap chooses it) several at a time
 * into its --cache-dir, while debootstrap is still resolving dependencies;
 * debootstrap then finds each one there and checks it against its own signed
 * index before use, so nothing here is trusted more than a download of its own.
 * Only an index whose InRelease signature gpgv accepts is used, and only a .deb
 * whose size and sha256 match it enters the cache (renamed in whole).
 */
export interface PrefetchInput {
  mirror: string;
  suite: string;
  arch: string;
  variant: 'minbase' | 'buildd' | 'standard';
  /** debootstrap's --cache-dir: .debs named as debootstrap names them. */
  cacheDir: string;
  /** This prefetch's own scratch directory (journalled by the caller), removed at the end. */
  scratch: string;
  run: Runner;
  signal: AbortSignal;
  keyring?: string;
  parallel?: number;
}

export interface PrefetchResult {
  fetched: number;
  bytes: number;
  cached: number;
  /** What could not be fetched (debootstrap fetches those itself). */
  failed: string[];
  /** The cache names of the chosen set now in the cache, each verified when it entered. */
  present: string[];
  ms: number;
}

const debianKeyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
const safeFilename = /^pool\/(?:[A-Za-z0-9+.~_-]+\/)*[A-Za-z0-9+.~_%-]+\.deb$/;
const safeCacheName = /^[A-Za-z0-9+.~_%-]+\.deb$/;

async function fetchBytes(url: string, cap: number, signal: AbortSignal): Promise<Buffer> {
  const response = await fetch(url, { signal });
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > cap) throw new Error(`${url}: larger than ${cap} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** InRelease, checked by gpgv against the archive keyring: the signed text, or an error. */
async function verifiedRelease(input: PrefetchInput): Promise<string> {
  const signed = join(input.scratch, 'InRelease');
  const text = join(input.scratch, 'Release');
  const body = await fetchBytes(`${input.mirror}/dists/${input.suite}/InRelease`, 16 << 20, input.signal);
  mkdirSync(input.scratch, { recursive: true, mode: 0o700 });
  const fd = openSync(signed, 'wx', 0o600);
  try {
    writeSync(fd, body);
  } finally {
    closeSync(fd);
  }
  const { run } = input;
  const checked = await run('gpgv', ['--keyring', input.keyring ?? debianKeyring, '--output', text, '--', signed], { quiet: true });
  if (checked.exitCode !== 0) throw new Error(`InRelease signature not accepted by gpgv: ${checked.stderr.trim().split('\n').at(-1) ?? ''}`);
  return readFileSync(text, 'utf8');
}

async function download(input: PrefetchInput, pkg: Package): Promise<number> {
  const temp = join(input.scratch, `${randomBytes(6).toString('hex')}.deb`);
  const response = await fetch(`${input.mirror}/${pkg.filename}`, { signal: input.signal });
  if (!response.ok || !response.body) throw new Error(`${pkg.filename}: HTTP ${response.status}`);
  const hash = createHash('sha256');
  const fd = openSync(temp, 'wx', 0o644);
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > pkg.size) throw new Error(`${pkg.filename}: larger than the index says`);
      hash.update(chunk);
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  if (size !== pkg.size || hash.digest('hex') !== pkg.sha256) {
    rmSync(temp, { force: true });
    throw new Error(`${pkg.filename}: size or sha256 differs from the signed index`);
  }
  renameSync(temp, join(input.cacheDir, cacheName(pkg)));
  return size;
}

export async function prefetchDebs(input: PrefetchInput): Promise<PrefetchResult> {
  const started = Date.now();
  try {
    const release = releaseChecksums(await verifiedRelease(input));
    const path = `main/binary-${input.arch}/Packages.gz`;
    const entry = release.get(path);
    if (!entry) throw new Error(`InRelease lists no ${path}`);
    const gz = await fetchBytes(`${input.mirror}/dists/${input.suite}/${path}`, 256 << 20, input.signal);
    if (gz.length !== entry.size || createHash('sha256').update(gz).digest('hex') !== entry.sha256) throw new Error(`${path}: size or sha256 differs from InRelease`);
    const wanted = debootstrapSet(parsePackages(gunzipSync(gz).toString('utf8')), input.variant, input.suite);
    // A path that could leave the mirror or the cache is left to debootstrap, whose own rules apply.
    const usable = wanted.filter((pkg) => safeFilename.test(pkg.filename) && !pkg.filename.includes('..') && safeCacheName.test(cacheName(pkg)));
    const missing = usable.filter((pkg) => !existsSync(join(input.cacheDir, cacheName(pkg))));
    let fetched = 0;
    let bytes = 0;
    const failed: string[] = [];
    const queue = [...missing];
    // A .deb that fails is left to debootstrap; every worker has stopped writing before this returns.
    const worker = async () => {
      for (let pkg = queue.shift(); pkg && !input.signal.aborted; pkg = queue.shift()) {
        try {
          // Read after the await: `bytes += await …` would add to the value from before it, losing the other workers' bytes.
          const size = await download(input, pkg);
          bytes += size;
          fetched += 1;
        } catch (error) {
          if (!input.signal.aborted) failed.push(error instanceof Error ? error.message : String(error));
        }
      }
    };
    await Promise.all(Array.from({ length: input.parallel ?? 8 }, worker));
    const present = usable.map(cacheName).filter((name) => existsSync(join(input.cacheDir, name)));
    return { fetched, bytes, cached: usable.length - missing.length, failed, present, ms: Date.now() - started };
  } finally {
    rmSync(input.scratch, { recursive: true, force: true });
  }
}
