import type { NodeFacts, NodeProbe, NodeSpec } from '../../shared/contract/index.js';
import { healthCommand, parseHealth } from './health-probe.js';
import type { NodePool } from './node-pool.js';
import { SftpUnavailable } from './resident-sftp.js';
import { readHealth } from './sftp-health-reader.js';

/**
 * One health poll of a node: over its resident SFTP session (reads of /proc,
 * no process started on the node); through the resident shell only where
 * SFTP is refused or the session just broke, with why in the probe. A node
 * that cannot be reached or answers late fails here as it would by shell.
 */
export async function pollHealth(pool: NodePool, spec: NodeSpec, timeoutMs: number): Promise<{ facts: NodeFacts; probe: NodeProbe }> {
  const startedAt = Date.now();
  try {
    return { facts: await pool.sftp(spec, readHealth, { timeoutMs }), probe: { via: 'sftp' } };
  } catch (error) {
    if (!(error instanceof SftpUnavailable)) throw error;
    const left = Math.max(1, timeoutMs - (Date.now() - startedAt));
    const result = await pool.exec(spec, healthCommand, { timeoutMs: left });
    if (result.code !== 0) throw new Error(`health command exited ${result.code}: ${result.stderr.trim().slice(0, 200)}`);
    return { facts: parseHealth(result.stdout), probe: { via: 'exec', reason: error.message } };
  }
}
