import { parse as parseYaml } from 'yaml';
import { diffManifests } from '../../shared/builds/manifest-diff.js';
import { InstalledPackage, SlipwayError, type BuildSummary, type ManifestDiff } from '../../shared/contract/index.js';
import { readOperatorText } from '../lib/operator-file.js';
import type { BuildHistory } from './build-history.js';

/** A metadata file with a full manifest is tens of KiB; anything near this is not ours. */
const maxMetadataBytes = 8 * 1024 * 1024;

/**
 * Each build's installed packages, kept with it in the history (the metadata
 * file beside the artifacts is overwritten by the next build of the name),
 * and what `slipway build diff` compares. `summary` throws for an unknown id.
 */
export function buildManifests(history: BuildHistory, summary: (id: string) => BuildSummary, summaries: () => BuildSummary[]) {
  /** The manifest kept with a build of the history; null when there is none or it is damaged. */
  function kept(id: string): InstalledPackage[] | null {
    const text = history.readAttachment(id, 'manifest');
    if (text === null) return null;
    try {
      return InstalledPackage.array().parse(JSON.parse(text));
    } catch {
      return null;
    }
  }

  /**
   * A build's installed packages: kept with the build; for a cache hit (or a
   * build from before manifests were kept), from the metadata beside the
   * artifacts, if that still describes this build or the one it reused.
   */
  async function of(id: string): Promise<InstalledPackage[]> {
    // A build of the history first: the id names a file below the history only once it is known to be one.
    const build = summary(id);
    const keptOne = kept(id);
    if (keptOne) return keptOne;
    const missing = () => new SlipwayError('bad_request', `build ${id} has no package manifest: ${build.status === 'succeeded' ? 'its metadata now describes another build' : `it ${build.status} before its packages were installed`}`, 'from');
    if (!build.metadataPath) throw missing();
    let metadata: { build_id?: unknown; installed_packages?: unknown };
    try {
      metadata = parseYaml(await readOperatorText(build.metadataPath, { maxBytes: maxMetadataBytes })) as typeof metadata;
    } catch {
      throw missing();
    }
    if (metadata.build_id !== id && !build.cacheHit) throw missing();
    if (metadata.build_id !== id && typeof metadata.build_id === 'string') {
      const reused = summaries().some((b) => b.id === metadata.build_id) ? kept(metadata.build_id) : null;
      if (reused) return reused;
    }
    const parsed = InstalledPackage.array().safeParse(metadata.installed_packages);
    if (!parsed.success) throw missing();
    return parsed.data;
  }

  return {
    /** Kept with the build; says why not when it could not be (a full disk loses the comparison, not the build). */
    save(id: string, installed: readonly InstalledPackage[]): string | null {
      try {
        history.writeAttachment(id, 'manifest', JSON.stringify(installed));
        return null;
      } catch (error) {
        return `the package manifest could not be kept for comparisons: ${(error as Error).message}`;
      }
    },

    /** Packages added, removed and changed from one build to another; each refusal names the side it is about. */
    async diff(from: string, to: string): Promise<ManifestDiff> {
      const side = (id: string, field: 'from' | 'to') =>
        of(id).catch((error: unknown) => {
          throw error instanceof SlipwayError ? new SlipwayError(error.code, error.message, field) : error;
        });
      const [before, after] = await Promise.all([side(from, 'from'), side(to, 'to')]);
      return diffManifests(from, to, before, after);
    },
  };
}
