import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { NodeSpec } from '../../shared/contract/index.js';

export interface ImportResult {
  nodes: NodeSpec[];
  /** Host entries that could not become nodes, and why. */
  skipped: { host: string; reason: string }[];
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/**
 * Nodes from an OpenSSH client config, read by the ssh-config package: every
 * concrete `Host` name (wildcard patterns only lend their settings), with
 * HostName, User, Port, IdentityFile and ProxyJump as ssh would compute them.
 */
export function importSshConfig(text: string, home = homedir(), defaultUser = userInfo().username): ImportResult {
  const config = SSHConfig.parse(text);
  const names: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    const values = Array.isArray(line.value) ? line.value.map((v) => (typeof v === 'string' ? v : v.val)) : String(line.value).split(/\s+/);
    for (const name of values) if (name && !/[*?!]/.test(name) && !names.includes(name)) names.push(name);
  }
  const nodes: NodeSpec[] = [];
  const skipped: ImportResult['skipped'] = [];
  for (const name of names) {
    const computed = config.compute(name) as Record<string, string | string[]>;
    const get = (key: string) => first(computed[key] ?? computed[key.toLowerCase()]);
    const identity = get('IdentityFile');
    const jump = get('ProxyJump');
    const parsed = NodeSpec.safeParse({
      name,
      host: get('HostName') ?? name,
      port: Number(get('Port') ?? 22),
      user: get('User') ?? defaultUser,
      identity: identity ? expandHome(identity, home) : null,
      jump: jump && jump.toLowerCase() !== 'none' ? jump : null,
      labels: ['imported'],
    });
    if (parsed.success) nodes.push(parsed.data);
    else skipped.push({ host: name, reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  }
  return { nodes, skipped };
}
