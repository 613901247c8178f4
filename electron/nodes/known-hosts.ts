import { createHash, createHmac } from 'node:crypto';

/**
 * OpenSSH known_hosts, read as OpenSSH reads it: plain and hashed (`|1|salt|hmac`)
 * host patterns, `[host]:port` for other ports, wildcards and negations,
 * `@revoked` and `@cert-authority` markers.
 */
export interface KnownHostLine {
  marker: 'revoked' | 'cert-authority' | null;
  patterns: string;
  keyType: string;
  key: string;
  line: number;
}

export type HostKeyVerdict =
  | { status: 'trusted'; line: number }
  | { status: 'unknown' }
  | { status: 'changed'; line: number }
  | { status: 'revoked'; line: number };

export function parseKnownHosts(text: string): KnownHostLine[] {
  const lines: KnownHostLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let marker: KnownHostLine['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift()!.slice(1) as KnownHostLine['marker'];
    const [patterns, keyType, key] = fields;
    if (patterns && keyType && key) lines.push({ marker, patterns, keyType, key, line: index + 1 });
  });
  return lines;
}

/** The name known_hosts uses for a host: bare on port 22, `[host]:port` otherwise. */
export function hostEntryName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** OpenSSH's rule: any negated match excludes the line, otherwise one positive match includes it. */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Decide on a presented key (type and base64 blob) for host:port. */
export function verifyHostKey(lines: readonly KnownHostLine[], host: string, port: number, keyType: string, key: string): HostKeyVerdict {
  const name = hostEntryName(host, port);
  const forHost = lines.filter((l) => l.marker !== 'cert-authority' && patternsMatch(l.patterns, name));
  const revoked = lines.find((l) => l.marker === 'revoked' && l.key === key);
  if (revoked) return { status: 'revoked', line: revoked.line };
  const same = forHost.find((l) => l.marker === null && l.keyType === keyType && l.key === key);
  if (same) return { status: 'trusted', line: same.line };
  // A different key of the same type is a changed key; only other types known means this one is new.
  const other = forHost.find((l) => l.marker === null && l.keyType === keyType);
  return other ? { status: 'changed', line: other.line } : { status: 'unknown' };
}

/** `SHA256:…` as `ssh-keygen -l` and OpenSSH prompts print it. */
export function fingerprint(keyBase64: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH wire-format public key blob. */
export function keyTypeOf(keyBase64: string): string {
  const blob = Buffer.from(keyBase64, 'base64');
  if (blob.length < 4) throw new Error('not an SSH public key');
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('ascii');
}

export function knownHostsLine(host: string, port: number, keyBase64: string): string {
  return `${hostEntryName(host, port)} ${keyTypeOf(keyBase64)} ${keyBase64}\n`;
}
