import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The installed package's root (where out/ lives), found from wherever the bundler put this code. */
export function packageRoot(from = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'slipway') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find Slipway's package root above ${from}`);
  }
}

export interface AppPaths {
  /** Build workspaces, journals and the base tarball cache. */
  workspace: string;
  /** Build history and logs. */
  state: string;
  /** Where built images go when a spec names no output directory. */
  images: string;
  /** The only places a build may publish into (the root helper writes there). */
  outputRoots: string[];
  /** The TFTP tree netboot images are published into. */
  tftpRoot: string;
  /** Where deploy configuration extensions are looked for, in order. */
  extensionDirs: string[];
}

/** Root keeps system paths; anyone else follows XDG. Each can be moved by an environment variable. */
export function appPaths(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? -1): AppPaths {
  const data = uid === 0 ? '/var/lib/slipway' : join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'slipway');
  const state = uid === 0 ? '/var/lib/slipway/state' : join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'slipway');
  const images = env.SLIPWAY_IMAGES_DIR ?? join(data, 'images');
  return {
    workspace: env.SLIPWAY_WORKSPACE ?? join(data, 'work'),
    state: env.SLIPWAY_STATE_DIR ?? state,
    images,
    outputRoots: [images, '/srv', tmpdir(), ...(env.SLIPWAY_OUTPUT_ROOTS ?? '').split(':').filter((root) => root.startsWith('/'))],
    tftpRoot: env.SLIPWAY_TFTP_ROOT ?? (uid === 0 ? '/srv/tftp' : join(data, 'tftp')),
    extensionDirs: (env.SLIPWAY_EXTENSIONS_DIRS ?? `${join(data, 'extensions')}:${join(packageRoot(), 'extensions')}`).split(':').filter((dir) => dir.startsWith('/')),
  };
}
