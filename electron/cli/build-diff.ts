import type { ManifestDiff } from '../../shared/contract/index.js';
import { createBuildBackend } from '../app/build-backend.js';

/** The diff as lines: a count, then `+ added`, `- removed`, `~ old → new`, by package name. */
export function diffLines(diff: ManifestDiff): string[] {
  const counts = `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`;
  return [
    `${diff.from} → ${diff.to}: ${counts}`,
    ...diff.added.map((p) => `+ ${p.name} ${p.version} (${p.arch})`),
    ...diff.removed.map((p) => `- ${p.name} ${p.version} (${p.arch})`),
    ...diff.changed.map((p) => `~ ${p.name} ${p.from} → ${p.to} (${p.arch})`),
  ];
}

/** `slipway build diff A B`: what changed in the installed packages from build A to build B (exit 0 either way). */
export async function runBuildDiff(from: string, to: string, json: boolean): Promise<number> {
  const backend = createBuildBackend();
  try {
    const diff = await backend.builds.diff(from, to);
    process.stdout.write(json ? `${JSON.stringify(diff)}\n` : `${diffLines(diff).join('\n')}\n`);
    return 0;
  } finally {
    await backend.close();
  }
}
