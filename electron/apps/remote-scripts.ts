import { SlipwayError } from '../../shared/contract/index.js';
import { shQuote, writeFileLines } from '../remote/shell-script.js';

/**
 * The POSIX sh Slipway runs on a node for each step of an application's life
 * (NEPI's LinuxApplication, rewritten): nodes need sh and coreutils, nothing
 * else. Every value that reaches a script is quoted here; tests run these
 * scripts with the local sh.
 */

/** Reads `pid start` from a pidfile; `alive` is true only if that pid still has that start time (a reused pid is not the app). */
const aliveFunctions = `
starttime() { s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; rest=\${s##*) }; set -- $rest; [ "$1" != Z ] || return 1; echo "\${20}"; }
alive() { [ -f "$1" ] || return 1; read -r p st < "$1" || return 1; [ "$(starttime "$p")" = "$st" ]; }
`;

/** Where an application run lives on a node: per node name too, since test nodes may share one file system. */
export function homeScript(base: string | null, relative: string): string {
  const root = base ? shQuote(base) : '"${HOME:-/tmp}/slipway-apps"';
  return [
    'set -eu',
    `base=${root}`,
    // A system account's home may be / (not writable): fall back to /tmp, per user.
    'mkdir -p "$base" 2>/dev/null && [ -w "$base" ] || base="/tmp/slipway-apps-$(id -un)"',
    `home="$base"/${shQuote(relative)}`,
    'mkdir -p "$home/build"',
    'rm -f "$home/pid" "$home/build-pid" "$home/exitcode" "$home/build-exit" "$home/app.sh" "$home/app.sh.env" "$home/app.sh.run" "$home/run.sh" "$home/build.sh" "$home/build.sh.env" "$home/build.sh.run"',
    '. /etc/os-release 2>/dev/null || true',
    // printf, not echo: a home whose name holds a backslash is printed as it is.
    `printf 'home=%s\\n' "$home"`,
    'echo "platform=$(uname -m) ${ID:-unknown} ${VERSION_ID:-unknown}"',
  ].join('\n');
}

/** Installs only what is missing, with apt-get or yum (dnf), whichever the node has; root or `sudo -n`. */
export function dependsScript(packages: readonly string[], sudo: boolean): string {
  if (packages.length === 0) return 'echo "no packages to install"';
  const list = packages.map(shQuote).join(' ');
  return [
    'set -u',
    `SUDO=; if [ "$(id -u)" != 0 ]; then ${sudo ? 'SUDO="sudo -n"' : 'SUDO=none'}; fi`,
    'missing=',
    'if command -v dpkg-query >/dev/null 2>&1; then',
    `  for p in ${list}; do dpkg-query -W -f='\${Status}\\n' "$p" 2>&1 | grep -q 'ok installed' || missing="$missing $p"; done`,
    'elif command -v rpm >/dev/null 2>&1; then',
    `  for p in ${list}; do rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"; done`,
    'else echo "no dpkg or rpm on this node: cannot check packages" >&2; exit 1; fi',
    'if [ -z "$missing" ]; then echo "already installed:" ' + list + '; exit 0; fi',
    'if [ "$SUDO" = none ]; then echo "missing packages:$missing (not root; set sudo: true to install them with sudo -n)" >&2; exit 1; fi',
    'echo "installing:$missing"',
    'if command -v apt-get >/dev/null 2>&1; then',
    '  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing || { $SUDO apt-get update -q && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing; }',
    'elif command -v dnf >/dev/null 2>&1; then $SUDO dnf install -y $missing',
    'elif command -v yum >/dev/null 2>&1; then $SUDO yum install -y $missing',
    'else echo "no apt-get, dnf or yum on this node" >&2; exit 1; fi',
  ].join('\n');
}

export interface SpawnSpec {
  home: string;
  /** The script file to write (app.sh, build.sh) and run. */
  script: string;
  cwd: string;
  command: string;
  env: Readonly<Record<string, string>>;
  stdout: string;
  stderr: string;
  stdin: string | null;
  pidfile: string;
  exitfile: string;
  sudo: boolean;
}

/**
 * Starts the command detached (its own session and process group, stdio in
 * files) and records `pid start-time` in the pidfile. A wrapper waits for it
 * and writes its exit code; it traps TERM (without ignoring it, so the
 * command does not inherit an ignored TERM) to outlive a stop long enough to
 * record how the command ended.
 */
export function spawnScript(spec: SpawnSpec): string {
  // The environment travels in a file only its owner reads, sourced by the script: never on a command line (ps shows those).
  const envFile = `${spec.script}.env`;
  const exports = Object.entries(spec.env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SlipwayError('bad_request', `env: ${JSON.stringify(name)} is not an environment variable name`, 'env');
    return `export ${name}=${shQuote(value)}\n`;
  });
  const script = ['#!/bin/sh', `. ./${shQuote(envFile)}`, `cd ${shQuote(spec.cwd)}`, spec.command, ''].join('\n');
  const runner = `${spec.script}.run`;
  const input = spec.stdin ?? '/dev/null';
  const wrapper = [
    'trap : TERM',
    sudoLine(spec.sudo),
    // A build's output and errors go to one buildlog, interleaved as they happened.
    `$SUDO sh ${shQuote(spec.script)} > ${shQuote(spec.stdout)} ${spec.stderr === spec.stdout ? '2>&1' : `2> ${shQuote(spec.stderr)}`} < ${shQuote(input)}`,
    `echo $? > ${shQuote(spec.exitfile)}.tmp && mv ${shQuote(spec.exitfile)}.tmp ${shQuote(spec.exitfile)}`,
    '',
  ].join('\n');
  return [
    'set -eu',
    aliveFunctions,
    `cd ${shQuote(spec.home)}`,
    `rm -f ${shQuote(spec.pidfile)} ${shQuote(spec.exitfile)}`,
    writeFileLines(envFile, exports.join(''), '600'),
    writeFileLines(spec.script, script, '600'),
    writeFileLines(runner, wrapper, '600'),
    // A missing stdin file would fail the redirection and the command would never run.
    `: >> ${shQuote(input)}`,
    // Not a process group leader (no job control in sh -c), so setsid makes it one without forking: $! is the group.
    `setsid sh ${shQuote(runner)} < /dev/null > /dev/null 2>&1 &`,
    'pid=$!',
    'start=$(starttime "$pid") || start=gone',
    `echo "$pid $start" > ${shQuote(spec.pidfile)}.tmp && mv ${shQuote(spec.pidfile)}.tmp ${shQuote(spec.pidfile)}`,
    'echo "pid=$pid"',
  ].join('\n');
}

/** `sudo -n` in front of privileged commands when asked for and the node user is not root. */
function sudoLine(sudo: boolean): string {
  return sudo ? 'SUDO=; [ "$(id -u)" = 0 ] || SUDO="sudo -n"' : 'SUDO=';
}

export interface TraceOffset {
  file: string;
  offset: number;
}

/**
 * One round trip for status and traces: whether the build and the app are
 * alive (by pid and start time), their exit codes, and what each trace file
 * gained since `offset`, base64 so byte counts survive any content.
 */
export function statusScript(home: string, traces: readonly TraceOffset[], maxBytes = 256 * 1024): string {
  return [
    aliveFunctions,
    `cd ${shQuote(home)} 2>/dev/null || { echo "nohome=1"; exit 0; }`,
    'for job in pid build-pid; do',
    '  if [ ! -f "$job" ]; then echo "$job=none"; elif alive "$job"; then echo "$job=running"; else echo "$job=gone"; fi',
    'done',
    'for f in exitcode build-exit; do [ -f "$f" ] && echo "$f=$(cat "$f")"; done',
    ...traces.map(
      ({ file, offset }) =>
        `if [ -f ${shQuote(file)} ]; then size=$(wc -c < ${shQuote(file)}); if [ "$size" -gt ${offset} ]; then n=$((size - ${offset})); [ $n -le ${maxBytes} ] || n=${maxBytes}; printf '@@%s %s %s ' ${shQuote(file)} ${offset} "$n"; tail -c +${offset + 1} ${shQuote(file)} | head -c "$n" | base64 | tr -d '\\n'; echo; fi; fi`,
    ),
  ].join('\n');
}

export interface StatusReport {
  noHome: boolean;
  app: 'none' | 'running' | 'gone';
  build: 'none' | 'running' | 'gone';
  exitCode: number | null;
  buildExit: number | null;
  chunks: { file: string; offset: number; data: Buffer }[];
}

export function parseStatus(output: string): StatusReport {
  const report: StatusReport = { noHome: false, app: 'none', build: 'none', exitCode: null, buildExit: null, chunks: [] };
  for (const line of output.split('\n')) {
    const chunk = /^@@(\S+) (\d+) (\d+) ?(\S*)$/.exec(line);
    if (chunk) {
      report.chunks.push({ file: chunk[1]!, offset: Number(chunk[2]), data: Buffer.from(chunk[4] ?? '', 'base64') });
      continue;
    }
    const [key, value] = line.split('=', 2);
    const job = value === 'running' || value === 'gone' || value === 'none' ? value : 'none';
    if (key === 'nohome') report.noHome = true;
    else if (key === 'pid') report.app = job;
    else if (key === 'build-pid') report.build = job;
    else if (key === 'exitcode' && /^\d+$/.test(value ?? '')) report.exitCode = Number(value);
    else if (key === 'build-exit' && /^\d+$/.test(value ?? '')) report.buildExit = Number(value);
  }
  return report;
}

/**
 * TERM to the process group; after the grace period, KILL to whatever of the
 * group is left. The group, not just its leader: a program that ignores TERM
 * outlives the shell that started it. When KILL was needed the recorded exit
 * code is 137, whatever the wrapper wrote when its shell died.
 */
export function stopScript(home: string, pidfile: string, exitfile: string, graceSeconds: number, sudo: boolean): string {
  return [
    aliveFunctions,
    'members() { g=$1; for d in /proc/[0-9]*; do s=$(cat "$d/stat" 2>/dev/null) || continue; rest=${s##*) }; set -- $rest; [ "$3" = "$g" ] && [ "$1" != Z ] && echo "${d#/proc/}"; done; }',
    `cd ${shQuote(home)} 2>/dev/null || { echo "stop=none"; exit 0; }`,
    sudoLine(sudo),
    `alive ${shQuote(pidfile)} || { echo "stop=none"; exit 0; }`,
    `read -r pid st < ${shQuote(pidfile)}`,
    // The group. Through sudo it is procps-ng's kill(1), which reads a multi-digit "-1234" as -1 (every process)
    // unless `--` comes first; sh's own kill takes no `--` (dash: "Illegal number").
    'if [ -n "$SUDO" ]; then $SUDO kill -TERM -- "-$pid" 2>/dev/null || true; else kill -TERM "-$pid" 2>/dev/null || true; fi',
    `i=0; while [ $i -lt ${Math.round(graceSeconds * 10)} ]; do [ -n "$(members "$pid")" ] || { echo "stop=TERM"; exit 0; }; sleep 0.1; i=$((i + 1)); done`,
    'for q in $(members "$pid"); do $SUDO kill -KILL "$q" 2>/dev/null; done',
    'i=0; while [ $i -lt 20 ] && [ -n "$(members "$pid")" ]; do sleep 0.1; i=$((i + 1)); done',
    `echo 137 > ${shQuote(exitfile)}`,
    `echo "stop=KILL after ${graceSeconds} s"`,
  ].join('\n');
}
