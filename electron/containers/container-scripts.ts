import { SlipwayError } from '../../shared/contract/index.js';
import { parseInstance, parseUnique } from '../../shared/contract/instance-name.js';
import { failLine, shQuote, writeFileLines } from '../remote/shell-script.js';

/**
 * What Slipway writes and runs on a Treadmill node to configure, start,
 * stop, terminate and remove containers: POSIX sh and s6 (`s6-svscan` over
 * running/). A container's run script starts its service in new mount and
 * pid namespaces, on an overlayfs whose lower layer is a Slipway-built image
 * (upper and work under the container's directory), inside a memory cgroup
 * (v2 `memory.max` where the unified hierarchy has the memory controller,
 * else v1); its finish script writes exitinfo or oom, posts events and links
 * the container into cleanup/.
 */

export interface ContainerSpec {
  root: string;
  unique: string;
  uniqueId: string;
  instance: string;
  proid: string;
  service: string;
  command: string;
  /** A raw ext2/3/4 image file on the node: the read-only lower layer. */
  image: string;
  memoryBytes: number;
  environ: Readonly<Record<string, string>>;
}

/** Posts an app event as Treadmill does: a dot-temp file renamed into appevents/; at a given time (third argument) or now. */
const postFunction = `post() { at=\${3:-$(date +%s.%2N)}; name="$at,$INSTANCE,$1,$2"; : > "$ROOT/appevents/.$name" && mv "$ROOT/appevents/.$name" "$ROOT/appevents/$name"; }`;

const runScript = `#!/bin/sh
# Slipway container: the service in new mount and pid namespaces on an overlay root (its own /proc and a
# /dev of six devices), in a memory cgroup.
exec 2>&1
dir=$(pwd -P)
. ./data/spec.env
${postFunction}
cg=
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
  cg=/sys/fs/cgroup/slipway-$UNIQUE
  mkdir -p "$cg" && echo "$MEMORY_BYTES" > "$cg/memory.max" && { echo 0 > "$cg/memory.swap.max"; } 2>/dev/null
elif [ -d /sys/fs/cgroup/memory ]; then
  cg=/sys/fs/cgroup/memory/slipway/$UNIQUE
  mkdir -p "$cg" && echo "$MEMORY_BYTES" > "$cg/memory.limit_in_bytes"
  { echo "$MEMORY_BYTES" > "$cg/memory.memsw.limit_in_bytes"; } 2>/dev/null
fi
if [ -n "$cg" ]; then echo $$ > "$cg/cgroup.procs"; fi
echo "$cg" > data/cgroup
post service_running "$UNIQUEID.$SERVICE"
export IMAGE COMMAND dir
# unshare --fork ignores TERM, and a pid namespace's init ignores signals it has no handler for: so a shell
# is init in there and passes TERM on to the service, and this one passes s6's TERM to that shell. A TERM
# that comes while the namespace is starting is not lost: before it exists this script ends by it; after,
# it goes to the init once the init can take it (it says so in data/ns-ready). data/ns-pid names unshare
# while it runs, for a shell to enter the namespace (the init is its child).
rm -f data/ns-ready data/ns-pid
ns=
stop() {
  if [ -z "$ns" ]; then trap - TERM INT; kill -TERM $$; fi
  i=0
  while [ $i -lt 200 ]; do
    case $(cat /proc/$ns/stat 2>/dev/null) in ''|*') Z '*) return ;; esac
    init=$(cat /proc/$ns/task/$ns/children 2>/dev/null)
    if [ -n "$init" ] && [ -e data/ns-ready ]; then kill -TERM $init 2>/dev/null; return; fi
    sleep 0.05; i=$((i + 1))
  done
}
trap stop TERM INT
# setpriv --pdeathsig: should this script be killed (s6's KILL after timeout-kill), unshare dies with it, and
# with unshare (--kill-child) the namespace and everything in it.
pdeath=
if command -v setpriv > /dev/null 2>&1; then pdeath='setpriv --pdeathsig KILL'; fi
$pdeath unshare --mount --pid --fork --kill-child --propagation private /bin/sh -c '
  # Never a failing command in here: under set -e it would end this shell from inside the trap.
  stop() { stopping=1; if [ -n "$svc" ]; then kill -TERM $svc 2>/dev/null || :; fi; }
  trap stop TERM INT
  : > data/ns-ready
  set -e
  mount -o loop,ro "$IMAGE" "$dir/root.lower"
  mount -t overlay overlay -o "lowerdir=$dir/root.lower,upperdir=$dir/overlay/upper,workdir=$dir/overlay/work" "$dir/root"
  mount -t proc proc "$dir/root/proc"
  mount -t tmpfs -o mode=755,size=64k tmpfs "$dir/root/dev"
  for d in null zero full random urandom tty; do : > "$dir/root/dev/$d"; mount --bind "/dev/$d" "$dir/root/dev/$d"; done
  set +e
  [ -z "$stopping" ] || exit 143
  # The environ of the manifest reaches the service only: sourced in the subshell that becomes it, after its
  # root and command are kept where no variable can change them (no quote mark in here: this is a quoted word).
  ( set -- "$dir/root" "$COMMAND"; . "$dir/data/environ"; exec /usr/sbin/chroot "$1" /bin/sh -c "$2" ) &
  svc=$!
  [ -z "$stopping" ] || kill -TERM $svc
  wait $svc; rc=$?
  while kill -0 $svc 2>/dev/null; do wait $svc; rc=$?; done
  exit $rc
' &
ns=$!
echo $ns > data/ns-pid.new && mv -f data/ns-pid.new data/ns-pid
wait $ns; rc=$?
while kill -0 $ns 2>/dev/null; do wait $ns; rc=$?; done
rm -f data/ns-pid
# Ended by a signal: end the same way, so s6 (and Treadmill's words) say "signal", not 128 + n.
if [ $rc -gt 128 ] && [ $rc -lt 160 ]; then sig=$((rc - 128)); trap - TERM INT; kill -$sig $$; fi
exit $rc
`;

const finishScript = `#!/bin/sh
# Slipway container finish: exitinfo or oom, the events, the cleanup link; 125 tells s6 not to restart it.
rc=\${1:-256}; sig=\${2:-0}
case $sig in ''|*[!0-9]*) sig=0 ;; esac
. ./data/spec.env
${postFunction}
# Killed (s6's KILL after timeout-kill), the run script left its namespace's pid behind: no shell may enter by it.
rm -f data/ns-pid
cg=$(cat data/cgroup 2>/dev/null)
kills=0
if [ -n "$cg" ]; then
  if [ -f "$cg/memory.events" ]; then kills=$(sed -n 's/^oom_kill //p' "$cg/memory.events"); else kills=$(sed -n 's/^oom_kill //p' "$cg/memory.oom_control" 2>/dev/null); fi
fi
touch down
if [ "\${kills:-0}" -gt 0 ]; then
  : > data/oom
  post killed oom
else
  now=$(date +%s.%2N)
  printf '{"service": "%s", "return_code": %s, "signal": %s, "timestamp": %s}\\n' "$SERVICE" "$rc" "$sig" "$now" > data/exitinfo.tmp && mv data/exitinfo.tmp data/exitinfo
  post service_exited "$UNIQUEID.$SERVICE.$rc.$sig" "$now"
  # In Treadmill the container's finish comes after its service's exit; events of one moment sort by type name
  # (finished before service_exited), so the finish is stamped a hundredth later.
  post finished "$rc.$sig" "$(awk -v t="$now" 'BEGIN { printf "%.2f", t + 0.01 }')"
fi
ln -sfn "../apps/$UNIQUE" "$ROOT/cleanup/$UNIQUE"
if [ -n "$cg" ]; then rmdir "$cg" 2>/dev/null; fi
exit 125
`;

/** Makes sure one s6-svscan supervises running/ (started detached on first use). */
const ensureSvscan = [
  'if ! s6-svscanctl -a running 2>/dev/null; then',
  '  setsid s6-svscan running < /dev/null > /dev/null 2>&1 &',
  '  i=0; while [ $i -lt 50 ] && ! s6-svscanctl -a running 2>/dev/null; do sleep 0.1; i=$((i + 1)); done',
  'fi',
].join('\n');

function specEnv(spec: ContainerSpec): string {
  const values: Record<string, string> = {
    ROOT: spec.root, UNIQUE: spec.unique, UNIQUEID: spec.uniqueId, INSTANCE: spec.instance, SERVICE: spec.service,
    COMMAND: spec.command, IMAGE: spec.image, MEMORY_BYTES: String(spec.memoryBytes),
  };
  return Object.entries(values).map(([name, value]) => `${name}=${shQuote(value)}`).join('\n');
}

/** The manifest's environ as export lines (the names are checked again here: they become shell code). */
function environFile(environ: Readonly<Record<string, string>>): string {
  return Object.entries(environ)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SlipwayError('bad_request', `environ: ${JSON.stringify(name)} is not an environment variable name`, 'environ');
      return `export ${name}=${shQuote(value)}\n`;
    })
    .join('');
}

/** A path under the node root as one quoted word. */
const at = (...parts: string[]) => shQuote(parts.join('/'));

/** Treadmill's configure: the container directory, created down, and a `configured` event. */
export function configureScript(spec: ContainerSpec, manifestYaml: string, appJson: string): string {
  const dir = `apps/${spec.unique}`;
  return [
    'set -eu',
    `mkdir -p ${shQuote(spec.root)} && cd ${shQuote(spec.root)}`,
    'mkdir -p apps running cleanup cache appevents archives tombstones',
    `id -u ${shQuote(spec.proid)} > /dev/null 2>&1 || ${failLine(`proid ${spec.proid} does not exist on this node`)}`,
    `[ -f ${shQuote(spec.image)} ] || ${failLine(`no image file ${spec.image} on this node`)}`,
    `[ ! -e ${at(dir)} ] || ${failLine(`${spec.unique} exists already`)}`,
    `mkdir -p ${['data', 'overlay/upper', 'overlay/work', 'root', 'root.lower', 'log'].map((sub) => at(dir, sub)).join(' ')}`,
    `: > ${at(dir, 'down')}`,
    // spec.env holds the service's command: only its owner reads it.
    writeFileLines(`${dir}/data/spec.env`, `${specEnv(spec)}\n`, '600'),
    writeFileLines(`${dir}/data/manifest.yml`, manifestYaml, '600'),
    writeFileLines(`${dir}/data/app.json`, appJson, '600'),
    writeFileLines(`${dir}/data/environ`, environFile(spec.environ), '600'),
    writeFileLines(`${dir}/run`, runScript, '755'),
    writeFileLines(`${dir}/finish`, finishScript, '755'),
    writeFileLines(`${dir}/log/run`, '#!/bin/sh\nexec s6-log t ./main\n', '755'),
    // s6: KILL what a down request (TERM) has not ended within 10 s.
    `echo 10000 > ${at(dir, 'timeout-kill')}`,
    `INSTANCE=${shQuote(spec.instance)}; ROOT=$PWD`,
    postFunction,
    `post configured ${shQuote(spec.uniqueId)}`,
    'echo configured',
  ].join('\n');
}

/** Linked into running/ and brought up under s6-svscan. */
export function startScript(root: string, instance: string, unique: string): string {
  return [
    'set -eu',
    `cd ${shQuote(root)}`,
    `[ -d ${at('apps', unique)} ] || ${failLine(`no container ${unique}`)}`,
    `[ ! -e ${at('cleanup', unique)} ] || ${failLine(`${unique} has ended: configure a new one`)}`,
    `ln -sfn ${at('..', 'apps', unique)} ${at('running', instance)}`,
    ensureSvscan,
    `i=0; while [ $i -lt 50 ] && [ ! -p ${at('apps', unique, 'supervise', 'control')} ]; do sleep 0.1; i=$((i + 1)); done`,
    `rm -f ${at('apps', unique, 'down')}`,
    `s6-svc -u ${at('running', instance)}`,
    'echo started',
  ].join('\n');
}

export function stopScript(root: string, instance: string): string {
  return ['set -eu', `cd ${shQuote(root)}`, `s6-svc -d ${at('running', instance)}`, 'echo stopped'].join('\n');
}

/** Treadmill's terminate: the running link moves to cleanup/, data/terminated is touched, s6 lets it go. */
export function terminateScript(root: string, instance: string, unique: string): string {
  return [
    'set -eu',
    `cd ${shQuote(root)}`,
    `[ -d ${at('apps', unique)} ] || ${failLine(`no container ${unique}`)}`,
    `: > ${at('apps', unique, 'down')}`,
    // Down, and its supervisor exits once it is; then the link moves and s6-svscan forgets the service.
    `if [ -L ${at('running', instance)} ]; then s6-svc -dx ${at('apps', unique)} 2>/dev/null || true; mv ${at('running', instance)} ${at('cleanup', unique)}; else ln -sfn ${at('..', 'apps', unique)} ${at('cleanup', unique)}; fi`,
    `: > ${at('apps', unique, 'data', 'terminated')}`,
    // -n: the supervisors of services no longer in running/ (this one and its logger) exit, so remove finds them gone.
    's6-svscanctl -an running 2>/dev/null || true',
    'echo terminated',
  ].join('\n');
}

/** After cleanup: the directory and its cleanup link go; a running container is refused. */
export function removeScript(root: string, instance: string, unique: string): string {
  return [
    'set -eu',
    `cd ${shQuote(root)}`,
    `[ ! -e ${at('running', instance)} ] || ${failLine(`${unique} is still in running/: terminate it first`)}`,
    `[ -e ${at('cleanup', unique)} ] || [ -e ${at('cleanup', instance)} ] || ${failLine(`${unique} is not in cleanup/`)}`,
    `rm -f ${at('cleanup', unique)} ${at('cleanup', instance)}`,
    // Its supervisors (service and log) may still be on their way out after a terminate: their directories go once they are.
    `i=0; while [ $i -lt 100 ] && { s6-svok ${at('apps', unique)} || s6-svok ${at('apps', unique, 'log')}; } 2>/dev/null; do sleep 0.1; i=$((i + 1)); done`,
    `rm -rf ${at('apps', unique)}`,
    'echo removed',
  ].join('\n');
}

/**
 * What the container's s6-log wrote since `offset`, at most `max` bytes,
 * base64 so the byte count survives any content; `size=` says how long the
 * file is now (shorter than the offset: rotated).
 */
export function logReadScript(root: string, unique: string, offset: number, max = 256 * 1024): string {
  return [
    `cd ${at(root, 'apps', unique, 'log', 'main')} 2>/dev/null || { echo "size=0"; exit 0; }`,
    '[ -f current ] || { echo "size=0"; exit 0; }',
    'size=$(wc -c < current); echo "size=$size"',
    `from=${offset}; [ "$size" -ge "$from" ] || from=0`,
    `if [ "$size" -gt "$from" ]; then n=$((size - from)); [ $n -le ${max} ] || n=${max}; echo "from=$from"; tail -c +$((from + 1)) current | head -c "$n" | base64 | tr -d '\n'; echo; fi`,
  ].join('\n');
}

/** The PATH of a shell inside a container (nothing else of the node's environment goes in but TERM). */
const containerPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * A shell inside a running container, as root on the node (see
 * containerShellCommand). The run script's data/ns-pid names unshare while it
 * runs; its child is the namespace's init. It is entered only while unshare
 * is still this container's (its working directory is the container's: a pid
 * left behind and reused by another process is not) and the init has started
 * the service (the overlay root is mounted by then). nsenter joins the init's
 * mount and pid namespaces and chroots to the container's root: bash when the
 * image has it, else sh, as login shells. A container s6 is bringing up (no
 * `down` file) is given a few seconds to get there. Not running: one line,
 * exit 3.
 */
export function containerShellScript(root: string, instance: string, unique: string): string {
  // Operator-given names reach no node unless they are Treadmill's names (and then as quoted words only).
  if (!parseInstance(instance) || parseUnique(unique)?.instance !== instance) throw new SlipwayError('bad_request', `not a container: ${JSON.stringify(instance)} (${JSON.stringify(unique)})`, 'container');
  return [
    `PATH=${containerPath}; export PATH`,
    `cd ${at(root, 'apps', unique)} 2>/dev/null || ${failLine(`no container ${unique} on this node`)}`,
    'dir=$(pwd -P)',
    `command -v nsenter > /dev/null 2>&1 || ${failLine('nsenter is missing on this node (util-linux): no shell inside containers', 4)}`,
    'init=; i=0',
    'while :; do',
    '  ns=$(cat data/ns-pid 2>/dev/null)',
    '  case $ns in',
    "    ''|*[!0-9]*) ;;",
    '    *)',
    '      if [ "$(readlink /proc/$ns/cwd 2>/dev/null)" = "$dir" ] && [ -e data/ns-ready ]; then',
    '        init=$(cat /proc/$ns/task/$ns/children 2>/dev/null); init=${init%% *}',
    '        if [ -n "$init" ] && [ -n "$(cat /proc/$init/task/$init/children 2>/dev/null)" ]; then break; fi',
    '      fi ;;',
    '  esac',
    '  init=',
    '  if [ -e down ] || [ $i -ge 50 ]; then break; fi',
    '  sleep 0.1; i=$((i + 1))',
    'done',
    `[ -n "$init" ] || ${failLine(`${instance} is not running on this node: no shell to open in it`)}`,
    // debian_chroot: Debian's bashrc puts the instance in the prompt.
    `exec env -i TERM="\${TERM:-xterm-256color}" HOME=/root PATH=${containerPath} debian_chroot=${shQuote(instance)} \\`,
    `  nsenter --target "$init" --mount --pid -- chroot "$dir/root" /bin/sh -c 'if [ -x /bin/bash ]; then exec /bin/bash -l; fi; exec /bin/sh -l'`,
  ].join('\n');
}

/**
 * What the node's login shell runs on the pty for a shell inside a container:
 * the script above in sh, as root (directly, or through `sudo -n`; neither:
 * one line, exit 4).
 */
export function containerShellCommand(root: string, instance: string, unique: string): string {
  const script = containerShellScript(root, instance, unique);
  const asRoot = [
    'if [ "$(id -u)" != 0 ]; then',
    `  if sudo -n true 2>/dev/null; then exec sudo -n /bin/sh -c ${shQuote(script)}; fi`,
    `  ${failLine('a shell inside a container needs root on the node: log in as root, or allow sudo -n', 4)}`,
    'fi',
    script,
  ].join('\n');
  return `exec /bin/sh -c ${shQuote(asRoot)}`;
}
