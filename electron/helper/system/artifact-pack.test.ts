import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { compressorFor, isGzip, isZstd, packWith } from './artifact-pack.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// An image-like file: runs of zeros (free blocks) between random blocks, several MiB so pigz splits it.
const image = join(dir, 'root.img');
const blocks: Buffer[] = [];
for (let i = 0; i < 48; i++) blocks.push(i % 3 === 0 ? randomBytes(128 << 10) : Buffer.alloc(128 << 10, i % 2 ? 0 : 0x41));
const content = Buffer.concat(blocks);
writeFileSync(image, content);

const sums = (data: Buffer) => ({ size: data.length, md5: createHash('md5').update(data).digest('hex'), sha256: createHash('sha256').update(data).digest('hex') });
const onHost = (name: string) => (existsSync(`/usr/bin/${name}`) ? `/usr/bin/${name}` : null);
/** This process's children of that name, from /proc (stat's fields 2 and 4: comm and ppid). */
const childrenNamed = (name: string) =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        return '';
      }
    })
    .filter((stat) => stat.includes(`(${name})`) && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid);
let n = 0;
const dest = () => join(dir, `out-${++n}`);

describe('packWith: one read of the image, compressed by a parallel tool, sums of both sides', () => {
  it('makes gzip with pigz when the host has it, a standard gzip stream any gunzip reads', async () => {
    const compressor = compressorFor('gzip', onHost);
    expect(compressor).toEqual({ file: '/usr/bin/pigz', args: ['-n', '-c'] });
    const out = dest();
    const result = await packWith(compressor, image, out);
    const packed = readFileSync(out);
    expect(gunzipSync(packed).equals(content)).toBe(true);
    expect(execFileSync('gzip', ['-t', out]).length).toBe(0);
    expect(result.raw).toEqual(sums(content));
    // The same as sha256sum/md5sum of the artifact, taken while it was written.
    expect(result.container).toEqual(sums(packed));
    expect(execFileSync('sha256sum', [out], { encoding: 'utf8' }).split(' ')[0]).toBe(result.container.sha256);
  });

  it('falls back to gzip where pigz is missing, with the same sums of the raw side', async () => {
    const compressor = compressorFor('gzip', (name) => (name === 'pigz' ? null : onHost(name)));
    expect(compressor.file).toBe('/usr/bin/gzip');
    const out = dest();
    const result = await packWith(compressor, image, out);
    expect(gunzipSync(readFileSync(out)).equals(content)).toBe(true);
    expect(result.raw).toEqual(sums(content));
    expect(result.container).toEqual(sums(readFileSync(out)));
  });

  it('tells zstd and gzip containers by their first bytes', () => {
    const zstd = execFileSync('zstd', ['-q', '-c'], { input: Buffer.from('image') });
    const gzip = execFileSync('gzip', ['-c'], { input: Buffer.from('image') });
    expect([isZstd(zstd), isGzip(zstd), isZstd(gzip), isGzip(gzip), isZstd(Buffer.from([0x28, 0xb5]))]).toEqual([true, false, false, true, false]);
  });

  it('makes zstd on every core, which zstd -d restores byte for byte', async () => {
    const compressor = compressorFor('zstd', onHost);
    expect(compressor).toEqual({ file: '/usr/bin/zstd', args: ['-T0', '-q', '-c'] });
    const out = dest();
    const result = await packWith(compressor, image, out);
    expect(execFileSync('zstd', ['-d', '-q', '-c', out], { maxBuffer: 64 << 20 }).equals(content)).toBe(true);
    expect(result.container).toEqual(sums(readFileSync(out)));
  });

  it('fails when the compressor fails, rather than returning sums of a broken container', async () => {
    await expect(packWith({ file: '/usr/bin/gzip', args: ['--no-such-flag'] }, image, dest())).rejects.toThrow();
    await expect(packWith({ file: '/nonexistent/pigz', args: [] }, image, dest())).rejects.toThrow(/ENOENT/);
  });

  it('stops on cancel: the promise rejects and the compressor is gone', async () => {
    const abort = new AbortController();
    const packing = packWith(compressorFor('gzip', onHost), image, dest(), () => undefined, abort.signal);
    abort.abort();
    await expect(packing).rejects.toThrow(/abort/i);
    expect(childrenNamed('pigz')).toEqual([]);
  });

  it('refuses a destination that exists already (a planted link is not followed)', async () => {
    const out = dest();
    writeFileSync(out, 'planted');
    await expect(packWith(compressorFor('gzip', onHost), image, out)).rejects.toThrow(/EEXIST/);
    expect(readFileSync(out, 'utf8')).toBe('planted');
  });
});
