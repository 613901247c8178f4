import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execaRunner } from '../../process/runner.js';
import { prefetchDebs } from './deb-prefetch.js';

/** A mirror of its own on loopback, its InRelease signed by a key made here with gpg and checked by the real gpgv. */
describe('prefetchDebs', () => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-prefetch-'));
  const mirrorDir = join(base, 'mirror');
  const gnupg = join(base, 'gnupg');
  const keyring = join(base, 'keyring.gpg');
  const served = new Map<string, Buffer>();
  let server: Server;
  let mirror = '';

  const gpg = (...args: string[]) => execFileSync('gpg', ['--homedir', gnupg, '--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const debs = { alpha: randomBytes(3000), apt: randomBytes(2000), bravo: randomBytes(1000), charlie: randomBytes(500) };
  const stanza = (name: string, version: string, priority: string, extra: string, filename = `pool/main/${name[0]}/${name}/${name}_${version.replace(/^\d+:/, '')}_amd64.deb`) => {
    const content = debs[name as keyof typeof debs] ?? Buffer.from('x');
    return { text: `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\nPriority: ${priority}\n${extra}Filename: ${filename}\nSize: ${content.length}\nSHA256: ${createHash('sha256').update(content).digest('hex')}\n`, filename, content };
  };

  function publish(signWith: string): void {
    const stanzas = [
      stanza('alpha', '1:1.0-1', 'required', 'Depends: bravo (>= 1)\n'),
      stanza('bravo', '2.0', 'optional', ''),
      stanza('charlie', '3.0', 'optional', ''),
      stanza('apt', '2.6.1', 'important', ''),
      // A Filename that would leave the mirror: never fetched.
      stanza('evil', '1.0', 'required', '', 'pool/../../../etc/evil.deb'),
    ];
    const packagesGz = gzipSync(stanzas.map((s) => s.text).join('\n'));
    const release = `Origin: Test\nCodename: bookworm\nSHA256:\n ${createHash('sha256').update(packagesGz).digest('hex')} ${packagesGz.length} main/binary-amd64/Packages.gz\n`;
    writeFileSync(join(base, 'Release'), release);
    rmSync(join(base, 'InRelease'), { force: true });
    gpg('--local-user', signWith, '--output', join(base, 'InRelease'), '--clearsign', join(base, 'Release'));
    served.clear();
    served.set('/debian/dists/bookworm/InRelease', readFileSync(join(base, 'InRelease')));
    served.set('/debian/dists/bookworm/main/binary-amd64/Packages.gz', packagesGz);
    for (const s of stanzas) served.set(normalize(`/debian/${s.filename}`), s.content);
    // bravo is served with other bytes than the index says: it must never enter the cache.
    served.set('/debian/pool/main/b/bravo/bravo_2.0_amd64.deb', randomBytes(debs.bravo.length));
  }

  beforeAll(async () => {
    mkdirSync(gnupg, { mode: 0o700 });
    mkdirSync(mirrorDir);
    gpg('--quick-gen-key', 'Slipway Test Archive <archive@test.invalid>', 'ed25519', 'sign', 'never');
    gpg('--quick-gen-key', 'Somebody Else <else@test.invalid>', 'ed25519', 'sign', 'never');
    writeFileSync(keyring, gpg('--export', 'archive@test.invalid'));
    server = createServer((request, response) => {
      const body = served.get(normalize(request.url ?? ''));
      response.writeHead(body ? 200 : 404);
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/debian`;
  });
  afterAll(() => {
    server?.close();
    rmSync(base, { recursive: true, force: true });
  });

  const run = (cacheDir: string) =>
    prefetchDebs({ mirror, suite: 'bookworm', arch: 'amd64', variant: 'minbase', cacheDir, scratch: join(cacheDir, 'prefetch-test'), run: execaRunner, signal: new AbortController().signal, keyring });

  it('fetches what debootstrap will want into its cache, under its names, each checked against the signed index', async () => {
    publish('archive@test.invalid');
    const cache = join(base, 'cache-a');
    mkdirSync(cache);
    const result = await run(cache);
    expect(result.fetched).toBe(2);
    expect(result.bytes).toBe(debs.alpha.length + debs.apt.length);
    expect(result.failed).toEqual(['pool/main/b/bravo/bravo_2.0_amd64.deb: size or sha256 differs from the signed index']);
    expect(readdirSync(cache).sort()).toEqual(['alpha_1%3a1.0-1_amd64.deb', 'apt_2.6.1_amd64.deb']);
    expect(readFileSync(join(cache, 'alpha_1%3a1.0-1_amd64.deb')).equals(debs.alpha)).toBe(true);
    expect(existsSync(join(dirname(cache), 'etc'))).toBe(false);

    const again = await run(cache);
    expect(again).toMatchObject({ fetched: 0, cached: 2 });
  });

  it('uses nothing from a mirror whose InRelease another key signed', async () => {
    publish('else@test.invalid');
    const cache = join(base, 'cache-b');
    mkdirSync(cache);
    await expect(run(cache)).rejects.toThrow(/InRelease signature not accepted by gpgv/);
    expect(readdirSync(cache)).toEqual([]);
  });
});
