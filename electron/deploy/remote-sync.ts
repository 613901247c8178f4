import { statSync } from 'node:fs';
import type { DeployTarget } from '../../shared/contract/index.js';
import { shQuote } from '../remote/shell-script.js';
import type { RemoteSync } from './deploy-run.js';

/**
 * Unpacks the tree beside the destination, then makes the destination equal
 * to it: rsync --delete where the node has rsync (Baserock's ssh-rsync), else
 * one swap of directories. The staging dir and tarball go whatever happens.
 */
export function remoteSyncScript(tarball: string, dest: string, id: string): string {
  // A path that does not start with / or ./ could read as an option (-x) or, to rsync, as host:path.
  const local = (path: string) => (path.startsWith('/') || path.startsWith('./') ? path : `./${path}`);
  const staging = `${local(dest).replace(/\/+$/, '')}.slipway-${id}`;
  return [
    'set -eu',
    `tarball=${shQuote(local(tarball))}; dest=${shQuote(local(dest))}; staging=${shQuote(staging)}`,
    `trap 'rm -rf -- "$staging" "$tarball"' EXIT`,
    'rm -rf -- "$staging"; mkdir -p -- "$staging"',
    // --no-unquote: GNU tar otherwise reads backslash escapes in the -C directory ("a\\b" is "a\b" to it).
    'tar --no-unquote -x -f "$tarball" -C "$staging" --numeric-owner',
    'if command -v rsync >/dev/null 2>&1; then',
    '  mkdir -p -- "$dest"; rsync -aH --delete --numeric-ids -- "$staging/" "$dest/"; echo "synced with rsync --delete"',
    'else',
    '  rm -rf -- "$dest.slipway-old"; if [ -e "$dest" ]; then mv -- "$dest" "$dest.slipway-old"; fi',
    '  mv -- "$staging" "$dest"; rm -rf -- "$dest.slipway-old"; echo "replaced (no rsync on the node)"',
    'fi',
  ].join('\n');
}

/** Whether a path exists on the node (exit 0) or not. */
export const pathExistsScript = (path: string): string => `test -e ${shQuote(path)}`;

export interface NodeAccess {
  exec(command: string, options: { timeoutMs: number; onData: (stream: 'out' | 'err', chunk: string) => void }): Promise<{ code: number | null; stderr: string }>;
  upload(from: string, to: string, onProgress: (done: number, total: number) => void): Promise<void>;
}

/** Over the node's pooled SSH connection: host key checked, credentials and jump hosts as for every node command. */
export function remoteSync(deployId: string, node: (name: string) => NodeAccess): RemoteSync {
  return async (tarball, target: Extract<DeployTarget, { kind: 'ssh-rsync' }>, log) => {
    const access = node(target.node);
    const remoteTar = `/tmp/slipway-deploy-${deployId}.tar`;
    const bytes = statSync(tarball).size;
    let lastPercent = -1;
    await access.upload(tarball, remoteTar, (done, total) => {
      const percent = Math.floor((10 * done) / total) * 10;
      if (percent !== lastPercent) log('info', `uploaded ${percent}% of ${Math.round(total / (1 << 20))} MiB to ${target.node}`);
      lastPercent = percent;
    });
    const result = await access.exec(remoteSyncScript(remoteTar, target.path, deployId), {
      timeoutMs: 30 * 60 * 1000,
      onData: (stream, chunk) => chunk.split('\n').filter(Boolean).forEach((line) => log(stream, line)),
    });
    if (result.code !== 0) throw new Error(`sync on ${target.node} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return { bytes };
  };
}
