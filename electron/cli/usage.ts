import type { ParseArgsConfig } from 'node:util';
import { ContainerState, TraceStream } from '../../shared/contract/index.js';
import { mockScenarios } from '../mock/mock-scenarios.js';
import { CellAppState } from '../../shared/contract/cells.js';

/**
 * One record per command: its usage section (what `slipway COMMAND --help`
 * prints, and what the top-level usage is assembled from), its verbs and the
 * options its runner parses. The runners parse with these very option
 * objects and the bash completion is generated from them, so help, parsing
 * and completion cannot drift apart (usage.test.ts checks the text names them).
 */
/** What parseArgs takes as `options` (Node 20's types do not name it). */
export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  usage: string;
  /** Words the first operand may be (`nodes ls`); empty when it is free (a file, a build id). */
  verbs: readonly string[];
  options: ParseArgsOptionsConfig;
  /** Values an option takes from a fixed set, for completion. */
  choices?: Readonly<Record<string, readonly string[]>>;
}

const startOptions = {
  web: { type: 'boolean', default: false },
  mock: { type: 'boolean', default: false },
  'mock-scenario': { type: 'string', default: 'default' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string' },
} satisfies ParseArgsOptionsConfig;

const doctorOptions = { json: { type: 'boolean', default: false }, node: { type: 'string' } } satisfies ParseArgsOptionsConfig;

const buildOptions = {
  json: { type: 'boolean', default: false },
  host: { type: 'string' },
  to: { type: 'string' },
  cleanup: { type: 'boolean', default: false },
  verbose: { type: 'boolean', short: 'v', default: false },
} satisfies ParseArgsOptionsConfig;

const nodesOptions = {
  json: { type: 'boolean', default: false },
  path: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  nodes: { type: 'string' },
  rounds: { type: 'string', default: '1' },
  timeout: { type: 'string', default: '30' },
} satisfies ParseArgsOptionsConfig;

const publishOptions = {
  'tftp-root': { type: 'string' },
  arch: { type: 'string' },
  subarch: { type: 'string' },
  release: { type: 'string' },
  purpose: { type: 'string' },
  'from-build': { type: 'string' },
  kernel: { type: 'string' },
  initrd: { type: 'string' },
  root: { type: 'string' },
  host: { type: 'string' },
  json: { type: 'boolean', default: false },
} satisfies ParseArgsOptionsConfig;

const bootOptions = {
  image: { type: 'string' },
  marker: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  append: { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  json: { type: 'boolean', default: false },
} satisfies ParseArgsOptionsConfig;

const netbootOptions = {
  interface: { type: 'string', short: 'i' },
  mode: { type: 'string' },
  address: { type: 'string' },
  'http-port': { type: 'string' },
  'dhcp-range': { type: 'string' },
  netns: { type: 'string' },
  console: { type: 'string' },
  'tftp-root': { type: 'string' },
  host: { type: 'string' },
  json: { type: 'boolean', default: false },
} satisfies ParseArgsOptionsConfig;

const deployOptions = {
  extension: { type: 'string', short: 'e', multiple: true, default: [] as string[] },
  env: { type: 'string', multiple: true, default: [] as string[] },
  secret: { type: 'string', multiple: true, default: [] as string[] },
  target: { type: 'string', short: 't' },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', short: 'v', default: false },
} satisfies ParseArgsOptionsConfig;

const appOptions = {
  nodes: { type: 'string' },
  node: { type: 'string' },
  stream: { type: 'string' },
  follow: { type: 'boolean', short: 'f', default: false },
  wait: { type: 'boolean', default: false },
  remove: { type: 'string' },
  json: { type: 'boolean', default: false },
} satisfies ParseArgsOptionsConfig;

const containersOptions = {
  node: { type: 'string' },
  root: { type: 'string' },
  state: { type: 'string' },
  json: { type: 'boolean', default: false },
  rounds: { type: 'string', default: '1' },
  changes: { type: 'boolean', default: false },
  wait: { type: 'string', default: '30' },
} satisfies ParseArgsOptionsConfig;

const start = `  slipway start [--web] [--port N] [--host ADDR] [--mock] [--mock-scenario S]
            open the console: the desktop window where Electron and a display
            exist, the loopback web console otherwise
              --web               serve the web console even where a window could open
              --port N            web console port (default 8731; 0 picks a free one)
              --host ADDR         bind address (default 127.0.0.1)
              --mock              serve the mocked backend (demos, UI tests)
              --mock-scenario S   default | readiness-error | containers-10k
`;

const doctor = `  slipway doctor [--json] [--node NODE]
            check this host's tools and privileges (exit 1 if something required is missing)
              --json              one JSON document on stdout
              --node NODE         check build host NODE (labelled build-host) over SSH instead:
                                  the same tools, and root or passwordless sudo
`;

const build = `  slipway build SPEC.yaml [--host NODE|any] [--json] [-v]
            build an image from a spec: every step with progress; Ctrl-C cancels
            cleanly; exit 0 built, 1 failed (an invalid spec: every problem listed),
            130 cancelled
              --host NODE|any     on that build host (an inventory node labelled
                                  build-host) or the first free one; output.dir
                                  is a folder there
              --json              one JSON event per line
              -v, --verbose       every log line
  slipway build --cleanup [--json]
            release what builds of a crashed Slipway left behind (journal recovery)
  slipway build diff A B [--json]
            the installed packages of build B against build A: added (+), removed (-),
            version changed (~); a spec file named "diff" is ./diff
  slipway build fetch ID [--to DIR] [--json]
            copy a build host's artifacts and metadata here over SFTP (default: the
            current folder, which must be under an output root); a fetch cut short
            resumes where it stopped; each artifact is checked by its sha256
`;

const nodes = `  slipway nodes ls [--json]
            the node inventory ($XDG_CONFIG_HOME/slipway/nodes.yaml)
  slipway nodes status [--rounds N] [--timeout S] [--json]
            poll every node once through the connection pool; exit 1 if one is not reachable
            (unknown host keys are refused here: accept them in the console);
            health is read over each node's resident SFTP session, by shell where refused;
            --rounds polls N times over the same connections, timing each round
            (with --json: one line per round, {round, seconds, results: [{name, ok, …}]});
            --timeout: seconds each node may take, connecting included (default 10)
  slipway nodes exec [--nodes a,b] [--rounds N] [--timeout S] [--json] -- COMMAND
            run a command on every node (or those named) at once through the pool;
            --rounds repeats it over the same connections, timing each round;
            exit 1 if a node failed or no node matched
  slipway nodes import-ssh-config [--path FILE] [--dry-run] [--json]
            add the hosts of ~/.ssh/config to the inventory
  slipway nodes shell NODE
            an interactive login shell on NODE over the pool (host key checked; an
            unknown key is refused); exits with the remote shell's status
`;

const publish = `  slipway publish --arch A [--subarch S] --release R --purpose P (--from-build ID | --kernel F --initrd F [--root F])
            publish a netboot kernel and initrd into <tftp root>/A/S/R/P as a new
            content-addressed version switched in by one rename; identical content
            changes nothing ("unchanged"); exit 0 published or unchanged, 1 failed;
            a build's publish carries its root image (squashfs) for diskless boot
            (live-boot in the image); from files: --root FILE.squashfs;
            an image built on a build host is published into that host's tree
            ($SLIPWAY_HOST_TFTP_ROOT there, default /srv/tftp), by its helper
              --tftp-root DIR     default $SLIPWAY_TFTP_ROOT, /srv/tftp as root
              --json              the result as JSON
  slipway publish ls [--tftp-root DIR | --host NODE] [--json]
            what the TFTP tree serves now (--host: a build host's tree)
`;

const boot = `  slipway boot BUILD [--image NAME] [--marker TEXT] [--timeout S] [--memory MiB] [--append ARGS] [-q|--quiet] [--json]
            boot the build's image in QEMU with its own kernel (KVM, or TCG where
            /dev/kvm is missing), the serial console as it comes, until the marker
            (default "login:"); exit 0 booted, 1 not booted, 130 cancelled
`;

const netboot = `  slipway netboot serve --interface IF [--mode proxy-dhcp|dhcp|tftp-only] [--address A]
                [--http-port N] [--dhcp-range START,END] [--netns NS] [--console ttyS0,115200]
            start (or restart) the TFTP service (dnsmasq; proxy-DHCP beside the lab's
            DHCP server by default) and the HTTP server for root images; they keep
            running after this command ends; -i is short for --interface
  slipway netboot status | stop | nodes [--json]
            the services; each netbooting node (mac: and netboot: in the inventory):
            the version it boots next, the one it booted last, its last boot's steps
  slipway netboot args PURPOSE [ARGS…]      kernel arguments added for a purpose (none: cleared)
  slipway netboot rollback ARCH/SUBARCH/RELEASE/PURPOSE VERSION [--host NODE]
            point a purpose back at a version it kept (one rename)
  slipway netboot pin NODE VERSION | slipway netboot unpin NODE
            hold one node at a kept version of its purpose (its config rewritten
            by one rename; the version is kept while pinned), or let it follow again
              --tftp-root DIR     default $SLIPWAY_TFTP_ROOT, /srv/tftp as root
`;

const deploy = `  slipway deploy IMAGE --extension X [--extension Y …] [--env NAME=value …] [--secret NAME …] --target T
            overlay deploy: IMAGE (a build id, BUILD:IMAGE or an image file) mounted
            read-only under an overlayfs, extensions run in order with the merged
            tree as argument, slipway/deployment.meta written, then the target:
            tar:FILE | rawdisk:FILE | ssh-rsync:NODE:PATH; the image is never
            modified; exit 0 deployed, 1 failed, 130 cancelled
              -e, --extension X   an extension by name or path (repeatable)
              -t, --target T      where the result goes
              --force             replace an existing target without asking
              --json              one JSON event per line
              -v, --verbose       every log line
  slipway deploy extensions | slipway deploy ls [--json]
            the extensions found ($SLIPWAY_EXTENSIONS_DIRS), the deploys so far
`;

const app = `  slipway app deploy APP.yaml [--nodes a,b] [--wait] [--json]
            deploy an application (NEPI's lifecycle) to its nodes: home, upload,
            depends, build once per platform and spread, install, start detached;
            returns once every node runs (--wait: once every node ended);
            exit 1 if a node failed
  slipway app status [RUN] [--json]      runs, or one run's nodes (polled now)
  slipway app stop RUN [--nodes a,b]     TERM to each node's process group, KILL after the grace period
  slipway app retry RUN                  rerun the lifecycle on the failed nodes only
  slipway app traces RUN [--node N] [--stream stdout|stderr|buildlog] [-f|--follow]
            every node's traces (also kept in the run's results folder)
  slipway app blacklist [--remove NODE]  nodes whose errors said they are broken, with why
`;

const containers = `  slipway containers ls [--node N | --root DIR] [--state S] [--rounds N] [--json]
            containers of Treadmill node roots (nodes labelled treadmill or
            treadmill=/root), one command per node; --root reads a local directory;
            --rounds scans again in full over the same connections, timing each
  slipway containers ls --changes [--wait SECONDS] [--node N] [--json]
            follows the nodes for SECONDS (30): a snapshot, then what each rescan
            changed (--json: one line per delta, as the console receives it)
  slipway containers trace INSTANCE [--node N | --root DIR]
            the instance's events, as treadmill trace words them
  slipway containers configure NODE MANIFEST.yaml
            Treadmill's configure on the node: validated, created down, a configured event
  slipway containers start|stop|terminate|remove NODE INSTANCE
            run it under s6 (overlay root from its image), stop it, terminate it
            (to cleanup/), remove it after cleanup
  slipway containers shell NODE INSTANCE
            a root shell inside the running container (nsenter into its namespaces,
            chrooted to its root) on a pty over the pool, as slipway nodes shell;
            exits with the shell's status (3: the container is not running)
`;

const cellOptions = {
  state: { type: 'string' },
  follow: { type: 'boolean', short: 'f', default: false },
  timeout: { type: 'string', default: '30' },
  json: { type: 'boolean', default: false },
} satisfies ParseArgsOptionsConfig;

const cell = `  slipway cell add NAME zookeeper://[user@]host:port[,host:port…][/chroot] [--json]
            remember a Treadmill cell by its ZooKeeper (checked, never written to)
  slipway cell ls [--json]
            the cells remembered ($XDG_CONFIG_HOME/slipway/cells.yaml)
  slipway cell show CELL [--state S] [--timeout SECONDS] [--json]
            the cell's servers and apps as treadmill show counts them, read from its
            ZooKeeper in one session (CELL: a name or a zookeeper:// URL); exits 1
            when the cell has problems (malformed nodes), listed on stderr
  slipway cell trace CELL INSTANCE [--follow] [--json]
            the instance's events from the cell's /trace shard, in time order;
            -f, --follow prints new ones as they come, until interrupted
`;

const completion = `  slipway completion bash
            a bash completion script for slipway; load it with
            source <(slipway completion bash)
`;

export const commands = {
  start: { usage: start, verbs: [], options: startOptions, choices: { 'mock-scenario': mockScenarios } },
  doctor: { usage: doctor, verbs: [], options: doctorOptions },
  build: { usage: build, verbs: [], options: buildOptions },
  nodes: { usage: nodes, verbs: ['ls', 'status', 'exec', 'shell', 'import-ssh-config'], options: nodesOptions },
  publish: { usage: publish, verbs: ['ls'], options: publishOptions },
  boot: { usage: boot, verbs: [], options: bootOptions },
  netboot: { usage: netboot, verbs: ['serve', 'status', 'stop', 'nodes', 'args', 'rollback', 'pin', 'unpin'], options: netbootOptions, choices: { mode: ['proxy-dhcp', 'dhcp', 'tftp-only'] } },
  deploy: { usage: deploy, verbs: ['extensions', 'ls'], options: deployOptions },
  app: { usage: app, verbs: ['deploy', 'status', 'stop', 'retry', 'traces', 'blacklist'], options: appOptions, choices: { stream: TraceStream.options } },
  containers: { usage: containers, verbs: ['ls', 'trace', 'configure', 'start', 'stop', 'terminate', 'remove', 'shell'], options: containersOptions, choices: { state: ContainerState.options } },
  cell: { usage: cell, verbs: ['add', 'ls', 'show', 'trace'], options: cellOptions, choices: { state: CellAppState.options } },
  completion: { usage: completion, verbs: ['bash'], options: {} },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof commands;

export function isCommand(word: string | undefined): word is CommandName {
  return word !== undefined && Object.hasOwn(commands, word);
}

/** What `slipway COMMAND --help` prints, and what follows a usage error of that command. */
export function commandUsage(name: CommandName): string {
  return `usage:\n${commands[name].usage}`;
}

/** Everything: each command's section, in order. */
export function fullUsage(): string {
  return `usage: slipway <command> [options]
       slipway <command> --help     that command's usage alone
       slipway --version            the version

commands:
${Object.values(commands).map((spec) => spec.usage).join('')}`;
}
