import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export type Desktop = { ok: true; binary: string } | { ok: false; reason: string };

function electronDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

function installedBinary(dir: string): string | null {
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/**
 * Whether `slipway start` can open the desktop window. Electron's binary is
 * fetched here, on the first desktop launch, rather than at npm install (which
 * must work on hosts that cannot reach Electron's downloads).
 */
export async function desktopAvailability(env: NodeJS.ProcessEnv = process.env): Promise<Desktop> {
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { ok: false, reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  const dir = electronDir();
  if (dir === null) return { ok: false, reason: 'the electron package is not installed (npm install --include=dev)' };
  const present = installedBinary(dir);
  if (present) return { ok: true, binary: present };
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) return { ok: false, reason: "Electron's binary is not installed and ELECTRON_SKIP_BINARY_DOWNLOAD is set" };
  process.stderr.write("Fetching Electron's binary (first desktop launch)…\n");
  const fetched = await execa(process.execPath, [join(dir, 'install.js')], { cwd: dir, reject: false, timeout: 180_000, stdin: 'ignore' });
  const binary = fetched.exitCode === 0 ? installedBinary(dir) : null;
  if (binary) return { ok: true, binary };
  const why = String(fetched.stderr ?? '').split('\n').find((line) => /error/i.test(line))?.trim() ?? 'download failed';
  return { ok: false, reason: `Electron's binary could not be fetched (${why.slice(0, 120)})` };
}
