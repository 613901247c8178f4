import { createHash } from 'node:crypto';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, statSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SlipwayError } from '../../shared/contract/index.js';
import { isAlive, type ProcessIdentity } from '../process/process-identity.js';

const halfWrittenMs = 5_000;

const Claim = z.object({
  key: z.string(),
  /** How a refusal names the running job: "build 20261202-ab12cd34". */
  job: z.string(),
  owner: z.object({ pid: z.number().int(), startTime: z.string() }),
});
type Claim = z.infer<typeof Claim>;

/**
 * One running job per target (a build's output, a deploy's target, an app
 * on a node), across every Slipway process on the host: a console and a CLI
 * pressing Build at the same instant get one build and one refusal naming
 * it. A claim is a file created with O_EXCL, so the filesystem decides who
 * was first; a claim whose owner process has died (a crash) is stale and
 * taken over, so nothing a crash leaves blocks the next job.
 */
export class JobClaims {
  constructor(
    private readonly dir: string,
    private readonly owner: ProcessIdentity,
    private readonly alive: (owner: ProcessIdentity) => boolean = isAlive,
  ) {}

  /** Claims every key for `job`, or none of them; returns the release, to be registered before the job's next step. */
  claim(keys: readonly string[], job: string, refusal: (holder: string) => string): () => void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const held: string[] = [];
    const release = () => {
      for (const path of held.splice(0)) rmSync(path, { force: true });
    };
    try {
      for (const key of keys) held.push(this.claimOne({ key, job, owner: this.owner }, refusal));
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  private pathOf(key: string): string {
    // Keys hold paths and names chosen by the operator: hashed, they make a safe file name of fixed length.
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  private claimOne(claim: Claim, refusal: (holder: string) => string): string {
    const path = this.pathOf(claim.key);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          writeSync(fd, JSON.stringify(claim));
        } finally {
          closeSync(fd);
        }
        return path;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = this.read(path);
      // Unreadable: a claim being written this instant counts as held (refusing once is safer than two jobs);
      // one left half-written by a crash seconds ago is stale.
      if (holder === 'unreadable' && !this.olderThan(path, halfWrittenMs)) throw new SlipwayError('busy', refusal('another job'));
      if (holder && holder !== 'unreadable' && this.alive(holder.owner)) throw new SlipwayError('busy', refusal(holder.job));
      rmSync(path, { force: true });
    }
    throw new SlipwayError('busy', refusal('another job'));
  }

  private olderThan(path: string, ms: number): boolean {
    try {
      return Date.now() - statSync(path).mtimeMs > ms;
    } catch {
      return true;
    }
  }

  private read(path: string): Claim | null | 'unreadable' {
    try {
      const parsed = Claim.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      return parsed.success ? parsed.data : 'unreadable';
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'unreadable';
    }
  }
}
