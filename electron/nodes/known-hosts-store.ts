import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { knownHostsLine, parseKnownHosts, verifyHostKey, type HostKeyVerdict, type KnownHostLine } from './known-hosts.js';

/**
 * The operator's ~/.ssh/known_hosts (read only) and Slipway's own file (where
 * accepted keys are written). A key trusted in either is trusted; a changed key
 * in either is refused.
 */
export class KnownHostsStore {
  constructor(
    private readonly userFile: string | null,
    private readonly ownFile: string,
  ) {}

  private lines(file: string | null): KnownHostLine[] {
    if (!file) return [];
    try {
      return parseKnownHosts(readFileSync(file, 'utf8'));
    } catch {
      return [];
    }
  }

  verdict(host: string, port: number, keyType: string, key: string): HostKeyVerdict {
    const verdicts = [this.lines(this.userFile), this.lines(this.ownFile)].map((lines) => verifyHostKey(lines, host, port, keyType, key));
    return (
      verdicts.find((v) => v.status === 'revoked' || v.status === 'changed') ??
      verdicts.find((v) => v.status === 'trusted') ?? { status: 'unknown' }
    );
  }

  accept(host: string, port: number, key: string): void {
    mkdirSync(dirname(this.ownFile), { recursive: true, mode: 0o700 });
    appendFileSync(this.ownFile, knownHostsLine(host, port, key), { mode: 0o600 });
  }
}
