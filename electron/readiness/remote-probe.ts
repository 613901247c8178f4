import type { PrivilegeCheck, ToolCheck } from '../../shared/contract/index.js';
import { shQuote } from '../remote/shell-script.js';
import { parseVersion } from './parse-version.js';
import { extraSearchDirs, type ToolSpec } from './tool-catalog.js';

/*
 * Host readiness of a build host in one round trip: one script, built here
 * from the tool catalog (every word through shQuote), prints one record per
 * fact. Tool output is prefixed with "|" so nothing a tool prints can pass for
 * a record; records start with "@".
 */

/** The probe script for these tools: hostname, uid, user, how sudo answers, then each tool's path, version output and package version. */
export function remoteProbeScript(tools: readonly ToolSpec[]): string {
  const lines = [
    // A login over SSH often lacks the sbin directories, where root tools live.
    `PATH="$PATH":${shQuote(extraSearchDirs.join(':'))}`,
    'export PATH',
    `printf '@host %s\\n' "$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"`,
    `printf '@uid %s\\n' "$(id -u)"`,
    `printf '@user %s\\n' "$(id -un)"`,
    // sudo -n never asks: it answers at once whether this user may run as root without a password.
    'if [ "$(id -u)" = 0 ]; then s=root; elif ! command -v sudo >/dev/null 2>&1; then s=absent; ' +
      'elif sudo -n true </dev/null >/dev/null 2>&1; then s=sudo; else s=password; fi',
    `printf '@sudo %s\\n' "$s"`,
  ];
  for (const tool of tools) {
    const name = shQuote(tool.name);
    lines.push(`p=$(command -v ${name} 2>/dev/null) || p=`, `printf '@tool %s %s\\n' ${name} "$p"`);
    if (tool.versionArgs !== null) {
      // A tool that waits on stdin or hangs must not hold the probe: no input, 5 s at most, 20 lines kept.
      const args = tool.versionArgs.map(shQuote).join(' ');
      lines.push(`[ -n "$p" ] && timeout 5 "$p" ${args} </dev/null 2>&1 | head -n 20 | sed 's/^/|/'`);
    }
    lines.push(`[ -n "$p" ] && printf '@pkg %s\\n' "$(dpkg-query -W ${shQuote('-f=${Version}')} ${shQuote(tool.debianPackage)} 2>/dev/null)"`);
  }
  lines.push(`printf '@end\\n'`);
  return lines.join('\n');
}

export interface RemoteProbe {
  hostname: string;
  tools: ToolCheck[];
  privileges: PrivilegeCheck;
}

type SudoAnswer = 'root' | 'sudo' | 'password' | 'absent';

/** What to do on a node where builds cannot get root: said with the user the node logs in as. */
function noRootDetail(user: string, sudo: SudoAnswer): string {
  const why = sudo === 'absent' ? 'sudo is not installed' : 'sudo -n asks for a password';
  return (
    `${user} is not root and ${why}: builds on this host are refused. Log in as root (user: root in this node's inventory entry), ` +
    `or allow passwordless sudo for ${user} (a line "${user} ALL=(ALL) NOPASSWD: ALL" in /etc/sudoers.d/slipway on the node)`
  );
}

function privilegesOf(uid: number, user: string, sudo: SudoAnswer): PrivilegeCheck {
  if (sudo === 'root') return { uid, user, elevation: 'root', canBuild: true, detail: 'logged in as root: builds run directly' };
  if (sudo === 'sudo') return { uid, user, elevation: 'sudo', canBuild: true, detail: `logged in as ${user}: the build helper runs through sudo -n` };
  return { uid, user, elevation: 'none', canBuild: false, detail: noRootDetail(user, sudo) };
}

/** The probe script's output as checks, tools in the catalog's order; throws when the output is cut short. */
export function parseRemoteProbe(output: string, tools: readonly ToolSpec[]): RemoteProbe {
  const facts = new Map<string, string>();
  const found = new Map<string, { path: string; versionText: string[]; pkg: string | null }>();
  let current: { path: string; versionText: string[]; pkg: string | null } | null = null;
  for (const line of output.split('\n')) {
    if (line.startsWith('|')) {
      current?.versionText.push(line.slice(1));
    } else if (line.startsWith('@tool ')) {
      const [name = '', ...path] = line.slice(6).split(' ');
      const where = path.join(' ');
      // command -v names a builtin or alias without a slash: not an executable the helper could run.
      current = { path: where, versionText: [], pkg: null };
      if (where.startsWith('/')) found.set(name, current);
    } else if (line.startsWith('@pkg ')) {
      if (current) current.pkg = line.slice(5).trim() || null;
    } else if (line.startsWith('@')) {
      const space = line.indexOf(' ');
      facts.set(space < 0 ? line.slice(1) : line.slice(1, space), space < 0 ? '' : line.slice(space + 1));
    }
  }
  if (!facts.has('end')) throw new Error('the readiness probe ended before it finished (connection lost or the node killed it)');
  const uid = Number(facts.get('uid'));
  const user = facts.get('user') ?? '';
  const sudo = facts.get('sudo') as SudoAnswer | undefined;
  if (!Number.isInteger(uid) || !sudo || !['root', 'sudo', 'password', 'absent'].includes(sudo)) {
    throw new Error('the readiness probe could not tell who it ran as');
  }
  return {
    hostname: facts.get('host') || 'unknown',
    privileges: privilegesOf(uid, user, sudo),
    tools: tools.map((spec): ToolCheck => {
      const hit = found.get(spec.name);
      const version = hit ? (parseVersion(hit.versionText.join('\n'), spec.versionPattern) ?? hit.pkg) : null;
      return {
        name: spec.name,
        found: hit !== undefined,
        path: hit?.path ?? null,
        version: spec.versionArgs === null && hit ? hit.pkg : version,
        debianPackage: spec.debianPackage,
        required: spec.required,
        neededBy: spec.neededBy,
        purpose: spec.purpose,
      };
    }),
  };
}
