import { createHash } from 'node:crypto';
import type { Artifact, ImageSpec, LogLine, StepId } from '../../shared/contract/index.js';

/**
 * What a scripted build step does, one action at a time. Scripts are plain
 * generators so the same script can run live (paced, cancellable) or be
 * replayed at once with a virtual clock to seed the history.
 */
export type ScriptAction =
  | { kind: 'line'; stream: LogLine['stream']; text: string }
  | { kind: 'pause'; ms: number }
  | { kind: 'progress'; message: string }
  | { kind: 'fail'; message: string };

export type ScriptRun = Generator<ScriptAction, void, void>;
export type StepScript = (ctx: ScriptContext) => ScriptRun;

export interface ScriptContext {
  id: string;
  spec: ImageSpec;
  mirror: string;
  workspace: string;
  chroot: string;
  /** Loop device of each image, by image name. */
  loops: ReadonlyMap<string, string>;
  artifacts: Artifact[];
  metadataPath: string;
  /** This step fails (a `fail-at-<step>` spec). */
  failing: boolean;
  /** Debootstrap writes 300,000 lines (a `huge-log` spec). */
  hugeLog: boolean;
  /**
   * A flood instead (SLIPWAY_MOCK_FLOOD_LINES): the `huge-log` spec writes this many lines with no
   * pacing, only yielding to the event loop between batches, as fast as the event pump takes them.
   */
  floodLines?: number | null;
}

export const out = (text: string): ScriptAction => ({ kind: 'line', stream: 'out', text });
export const err = (text: string): ScriptAction => ({ kind: 'line', stream: 'err', text });
/** Slipway's own lines: the commands it runs, what it cleans up. */
export const cmd = (text: string): ScriptAction => ({ kind: 'line', stream: 'info', text: `+ ${text}` });
export const pause = (ms: number): ScriptAction => ({ kind: 'pause', ms });
export const progress = (message: string): ScriptAction => ({ kind: 'progress', message });
export const fail = (message: string): ScriptAction => ({ kind: 'fail', message });

const hex = (algorithm: 'md5' | 'sha256', seed: string): string => createHash(algorithm).update(seed).digest('hex');

/** A number in [0, 1) drawn from a seed: sizes vary per spec but stay the same on every run. */
function fraction(seed: string): number {
  return Number.parseInt(hex('md5', seed).slice(0, 8), 16) / 2 ** 32;
}

const MiB = 1024 ** 2;

/** What publish will produce: shrunk sizes that depend on the package count, checksums that depend on the spec. */
export function planArtifacts(spec: ImageSpec, hash: string): { artifacts: Artifact[]; metadataPath: string } {
  const dir = `${spec.output.dir}/${spec.name}`;
  const artifacts = spec.images.map((fs): Artifact => {
    const isRoot = fs.mountPoint === '/';
    const used = isRoot ? (310 + 4 * spec.packages.length) * MiB : (24 + 40 * fraction(`${hash}:${fs.name}:used`)) * MiB;
    const rawSize = Math.min(fs.size, Math.round((used * 1.08) / 4096) * 4096);
    const gzip = spec.output.container === 'gzip';
    const containerSize = gzip ? Math.round(rawSize * (0.34 + 0.08 * fraction(`${hash}:${fs.name}:ratio`))) : rawSize;
    const seed = `${hash}:${fs.name}`;
    return {
      image: fs.name,
      path: `${dir}/${fs.name}.img${gzip ? '.gz' : ''}`,
      container: spec.output.container,
      rawSize,
      rawMd5: hex('md5', `${seed}:raw`),
      rawSha256: hex('sha256', `${seed}:raw`),
      containerSize,
      containerMd5: gzip ? hex('md5', `${seed}:gz`) : hex('md5', `${seed}:raw`),
      containerSha256: gzip ? hex('sha256', `${seed}:gz`) : hex('sha256', `${seed}:raw`),
    };
  });
  return { artifacts, metadataPath: `${dir}/${spec.name}.yaml` };
}

export function humanSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)}G`;
  return `${Math.round(bytes / MiB)}M`;
}

export type StepScripts = Record<StepId, StepScript>;
