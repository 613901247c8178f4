import { join } from 'node:path';
import type { HelperOp, HelperResult, JobArgs } from './helper-protocol.js';

/** A helper call bound to one job (its buildId filled in). */
export type JobCall = <O extends HelperOp>(op: O, args: JobArgs<O>) => Promise<HelperResult<O>>;

/** The built image in the job's directory: a gzip unpacked, a raw image linked (it is only ever read). */
export async function stageImage(call: JobCall, dir: string, image: string): Promise<{ staged: string; bytes: number; container: string }> {
  const staged = join(dir, 'image.raw');
  const result = await call('image.stage', { image, dest: staged });
  return { staged, ...result };
}

/**
 * Read-only twice over: the loop device (`--read-only`) and the mount
 * (`ro,noload`), so not even a journal replay writes to the image.
 */
export async function mountStagedReadOnly(call: JobCall, dir: string, staged: string): Promise<{ lower: string; device: string }> {
  const lower = join(dir, 'lower');
  await call('dir.make', { path: lower });
  const { device } = await call('loop.attach', { file: staged, readOnly: true });
  await call('mount', { source: device, target: lower, type: 'ext4', readOnly: true });
  // Freed by the kernel with the last unmount: nothing to detach later, even after a crash.
  await call('loop.autoclear', { device, file: staged });
  return { lower, device };
}
