import { lstatSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HelperOp } from './helper-protocol.js';
import { inBuild, type Op, type OpContext } from './op-context.js';
import { isUnder } from './system/mountinfo.js';
import { publishNetboot, rollbackNetboot } from '../lib/tftp-tree/tftp-publish.js';
import { listTftpTree } from '../lib/tftp-tree/tftp-tree.js';
import { installBootLoader } from '../lib/tftp-tree/boot-loader.js';

type TftpOp = Extract<HelperOp, 'tftp.publish' | 'tftp.list' | 'tftp.rollback'>;

/**
 * Why a build host's TFTP root is refused, or null. The helper writes there as
 * root, so it is held to what builds may write: an absolute, plain path under
 * the output roots, and a real directory when it exists (a link planted there
 * would move the tree anywhere).
 */
export function tftpRootProblem(root: string, outputRoots: readonly string[]): string | null {
  if (!root.startsWith('/') || resolve(root) !== root || root === '/') return `${root} is not an absolute, plain path`;
  if (!outputRoots.some((dir) => root !== resolve(dir) && isUnder(root, resolve(dir)))) return `${root} is not under the host's output roots (${outputRoots.join(', ')})`;
  try {
    if (!lstatSync(root).isDirectory()) return `${root} is not a directory`;
  } catch {
    return null; // made when first published to
  }
  return null;
}

function checkedRoot(ctx: OpContext, root: string): string {
  const problem = tftpRootProblem(root, ctx.outputRoots);
  if (problem) throw new Error(`refused: TFTP root ${problem}`);
  // A link in a folder above it must not lead out of the output roots either (links followed, as for a build's paths).
  ctx.workspace.confine(root, ctx.outputRoots);
  return root;
}

/**
 * The TFTP tree on the helper's own machine, with the same code as this
 * machine's (tftp-publish.ts): a build host's images are published where they
 * were built, and only the boot files the job extracted go in.
 */
export const tftpOps: { [O in TftpOp]: Op<O> } = {
  async 'tftp.publish'({ buildId, tftpRoot, target, kernel, initrd, root, origin, graceMs }, ctx) {
    const tree = checkedRoot(ctx, tftpRoot);
    const files = { kernel: inBuild(ctx, buildId, kernel), initrd: inBuild(ctx, buildId, initrd), root: root && { path: inBuild(ctx, buildId, root.path), sha256: root.sha256 } };
    mkdirSync(tree, { recursive: true, mode: 0o755 });
    const result = publishNetboot({ root: tree, ...target }, files.kernel, files.initrd, { graceMs, origin, ...(files.root ? { root: files.root } : {}) });
    const entry = listTftpTree(tree).find((e) => e.arch === target.arch && e.subarch === target.subarch && e.release === target.release && e.purpose === target.purpose);
    if (!entry) throw new Error(`published ${result.version} but cannot read it back from ${tree}`);
    // The host's own TFTP server may bring its boot loader: a missing pxelinux is said, not a failure of the publish.
    let loader: string | null = null;
    try {
      installBootLoader(tree);
    } catch (error) {
      loader = (error as Error).message;
    }
    ctx.log(`${result.status} ${target.arch}/${target.subarch}/${target.release}/${target.purpose} → ${result.version} in ${tree}`);
    return { status: result.status, entry, pruned: result.pruned, loader };
  },

  async 'tftp.list'({ tftpRoot }, ctx) {
    return { entries: listTftpTree(checkedRoot(ctx, tftpRoot)) };
  },

  async 'tftp.rollback'({ tftpRoot, target, version }, ctx) {
    const tree = checkedRoot(ctx, tftpRoot);
    const result = rollbackNetboot({ root: tree, ...target }, version);
    const entry = listTftpTree(tree).find((e) => e.arch === target.arch && e.subarch === target.subarch && e.release === target.release && e.purpose === target.purpose) ?? null;
    return { ...result, entry };
  },
};
