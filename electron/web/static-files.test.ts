import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStaticFile } from './static-files.js';

describe('readStaticFile', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'slipway-static-'));
    root = join(base, 'renderer');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<html>');
    await writeFile(join(root, 'assets', 'app.js'), 'x');
    await writeFile(join(base, 'secret.txt'), 'secret');
    await mkdir(join(base, 'renderer-other'));
    await writeFile(join(base, 'renderer-other', 'x.js'), 'other');
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('serves index.html for / and files with their types', async () => {
    expect((await readStaticFile(root, '/'))?.contentType).toMatch(/text\/html/);
    expect((await readStaticFile(root, '/assets/app.js'))?.contentType).toMatch(/javascript/);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/../renderer-other/x.js', '/assets', '/a%00b', '/%E0%A4%A'])(
    'refuses %s',
    async (path) => {
      expect(await readStaticFile(root, path)).toBeNull();
    },
  );
});
