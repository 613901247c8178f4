import { readFileSync } from 'node:fs';

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Mount points from /proc/<pid>/mountinfo text, in mount order. */
export function parseMountPoints(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''))
    .filter(Boolean);
}

export function isUnder(path: string, dir: string): boolean {
  const base = dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
  return path === base || path.startsWith(base.endsWith('/') ? base : `${base}/`);
}

/** Mounts at or under dir in this process's mount namespace, deepest first (the order to unmount). */
export function mountsUnder(dir: string, mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  return parseMountPoints(mountinfo)
    .filter((point) => isUnder(point, dir))
    .reverse();
}
