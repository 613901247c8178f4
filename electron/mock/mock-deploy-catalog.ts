import { SlipwayError, type BuildSummary, type DeployableImage, type DeployExtension } from '../../shared/contract/index.js';

/**
 * What a mocked deploy can start from and run: the extensions shipped in the
 * extension directories, and every image the mocked builds produced. Two
 * extensions script scenarios, like build names do: `fail.configure` exits 1,
 * `slow.configure` takes about 20 s (time to cancel).
 */

export const extensionDirs = ['/usr/share/slipway/extensions', '/etc/slipway/extensions'];

const extension = (dir: string, name: string, description: string): DeployExtension => ({ name, path: `${dir}/${name}`, description });

export const mockExtensions: readonly DeployExtension[] = [
  extension(extensionDirs[0]!, 'set-hostname.configure', 'Writes /etc/hostname and /etc/hosts from HOSTNAME.'),
  extension(extensionDirs[0]!, 'add-users.configure', 'Adds the users named in USERS (comma separated), with USER_PASSWORD if given.'),
  extension(extensionDirs[0]!, 'install-ssh-keys.configure', 'Installs AUTHORIZED_KEYS into root’s authorized_keys.'),
  extension(extensionDirs[0]!, 'fail.configure', 'Always exits 1: shows how a failing extension stops a deploy.'),
  extension(extensionDirs[1]!, 'slow.configure', 'Takes about 20 s: time to cancel a deploy.'),
];

export const isFailing = (ext: DeployExtension) => ext.name.startsWith('fail.');
export const isSlow = (ext: DeployExtension) => ext.name.startsWith('slow.');

/** Every image of every succeeded build, newest build first; a cache hit repeats its earlier build's files. */
export function imagesOf(builds: readonly BuildSummary[]): DeployableImage[] {
  return builds
    .filter((b) => b.status === 'succeeded')
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .flatMap((b) =>
      b.artifacts.map((a) => ({ ref: `${b.id}:${a.image}`, buildId: b.id, name: `${b.name}/${a.image}`, path: a.path, specHash: b.specHash, builtAt: b.finishedAt ?? b.startedAt })),
    );
}

/** The catalog lists each file once: the newest build that produced it. */
export function distinctImages(images: readonly DeployableImage[]): DeployableImage[] {
  return images.filter((image, index) => images.findIndex((other) => other.path === image.path) === index);
}

/** `ID:image`, a build id (its first image), or the path of a built image. */
export function resolveImage(images: readonly DeployableImage[], wanted: string): DeployableImage {
  const found = images.find((i) => i.ref === wanted) ?? images.find((i) => i.buildId === wanted) ?? images.find((i) => i.path === wanted);
  if (!found) throw new SlipwayError('bad_request', `no built image "${wanted}": give a build id, BUILD:image or the path of a built image`, 'image');
  return found;
}

export function resolveExtensions(paths: readonly string[]): DeployExtension[] {
  return paths.map((path, index) => {
    const found = mockExtensions.find((e) => e.path === path);
    if (!found) throw new SlipwayError('bad_request', `${path}: no such executable in ${extensionDirs.join(' or ')}`, `extensions.${index}`);
    return found;
  });
}
