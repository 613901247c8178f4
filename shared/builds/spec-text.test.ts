import { describe, expect, it } from 'vitest';
import { mountDepth, parseSize } from '../contract/image-spec.js';
import { parseSpecText } from './spec-text.js';

const good = `
name: lab-base
suite: bookworm
mirror: http://deb.debian.org/debian
packages: [curl]
images:
  - name: root
    size: 1G
    mountPoint: /
    label: root
  - name: var
    size: 512M
    mountPoint: /var
output:
  dir: /srv/images
`;

const problemsOf = (text: string) => {
  const result = parseSpecText(text);
  return result.ok ? [] : result.problems;
};

describe('image spec', () => {
  it('accepts a good spec and fills defaults', () => {
    const result = parseSpecText(good);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.variant).toBe('minbase');
    expect(result.spec.images[0]).toMatchObject({ size: 1024 ** 3, fsType: 'ext4', options: [] });
    expect(result.spec.output.container).toBe('gzip');
  });

  it.each([
    ['size: 1G', 'size: lots', 'images.0.size', /not a size/],
    ['mountPoint: /var', 'mountPoint: var', 'images.1.mountPoint', /absolute/],
    ['mountPoint: /var', 'mountPoint: /', 'images.1.mountPoint', /duplicate mount point/],
    ['name: lab-base', 'name: ../etc', 'name', /letters, digits/],
    ['name: lab-base', 'name: "a;rm -rf"', 'name', /letters, digits/],
    ['name: lab-base', 'name: a..b', 'name', /\.\./],
    ['name: var', 'name: "v/ar"', 'images.1.name', /letters, digits/],
    ['mountPoint: /var', 'mountPoint: /var/../etc', 'images.1.mountPoint', /"\.\."/],
    ['packages: [curl]', 'packages: ["curl; reboot"]', 'packages.0', /package name/],
    ['dir: /srv/images', 'dir: relative/out', 'output.dir', /absolute/],
    ['mirror: http://deb.debian.org/debian', 'mirror: "http://x/$(id)"', 'mirror', /URL/],
  ])('names the field: %s → %s', (from, to, field, message) => {
    const problems = problemsOf(good.replace(from, to));
    expect(problems.map((p) => p.field)).toContain(field);
    expect(problems.find((p) => p.field === field)?.message).toMatch(message);
  });

  it('offers zstd as a container beside gzip (the default) and raw, and names anything else', () => {
    const zstd = parseSpecText(good.replace('dir: /srv/images', 'dir: /srv/images\n  container: zstd'));
    expect(zstd.ok && zstd.spec.output.container).toBe('zstd');
    expect(problemsOf(good.replace('dir: /srv/images', 'dir: /srv/images\n  container: xz')).map((p) => p.field)).toContain('output.container');
  });

  it('refuses unknown top-level fields, bad YAML and a spec with no root file system', () => {
    expect(problemsOf(`${good}\nsurprise: 1`)[0]?.message).toMatch(/surprise/);
    expect(problemsOf('name: [unclosed')[0]).toMatchObject({ field: '(yaml)' });
    expect(problemsOf('- a list')[0]?.message).toMatch(/mapping/);
    const noRoot = good.replace('mountPoint: /\n', 'mountPoint: /srv\n');
    expect(problemsOf(noRoot).map((p) => p.message)).toContain('one file system must be mounted at /');
  });

  it('refuses unknown keys at every level, naming where (a misspelt key is not silently a default)', () => {
    const fields = (text: string) => problemsOf(text).map((p) => `${p.field}: ${p.message}`);
    expect(fields(good.replace('    label: root', '    label: root\n    container: "$(touch /tmp/pwned)"')).join('\n')).toMatch(/images\.0.*container/);
    expect(fields(good.replace('    size: 512M', '    size: 512M\n    fstype: ext3')).join('\n')).toMatch(/images\.1.*fstype/);
    expect(fields(good.replace('  dir: /srv/images', '  dir: /srv/images\n  compress: xz')).join('\n')).toMatch(/output.*compress/);
    expect(fields(`${good}repos:\n  - { name: x, uri: 'http://a/', suite: bookworm, sectoin: main }\n`).join('\n')).toMatch(/repos\.0.*sectoin/);
    expect(fields(`${good}postInstall:\n  hostnme: a\n`).join('\n')).toMatch(/postInstall.*hostnme/);
  });

  it('parses sizes and orders mounts by depth', () => {
    expect(parseSize('512M')).toBe(512 * 1024 ** 2);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('2g')).toBe(2 * 1024 ** 3);
    expect(parseSize('12 parsecs')).toBeNull();
    expect(['/var/lib/mysql', '/', '/var', '/boot'].sort((a, b) => mountDepth(a) - mountDepth(b))).toEqual(['/', '/var', '/boot', '/var/lib/mysql']);
  });
});
