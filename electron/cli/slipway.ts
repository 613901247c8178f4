import { parseBuildArgs, parseDoctorArgs, parseStartArgs, UsageError } from './args.js';
import { runBuild } from './build.js';
import { runBoot } from './boot.js';
import { runNetboot } from './netboot.js';
import { runApp } from './app.js';
import { runContainers } from './containers.js';
import { runDeploy } from './deploy.js';
import { runDoctor } from './doctor.js';
import { runNodes } from './nodes.js';
import { runPublish } from './publish.js';
import { runStart } from './start.js';

const usage = `usage: slipway <command> [options]

commands:
  start     open the console: the desktop window where Electron and a display
            exist, the loopback web console otherwise
              --web               serve the web console even where a window could open
              --port N            web console port (default 8731; 0 picks a free one)
              --host ADDR         bind address (default 127.0.0.1)
              --mock              serve the mocked backend (demos, UI tests)
              --mock-scenario S   default | readiness-error
  doctor    check this host's tools and privileges (exit 1 if something required is missing)
              --json              one JSON document on stdout
  build SPEC.yaml
            build an image from a spec: every step with progress; Ctrl-C cancels
            cleanly; exit 0 built, 1 failed, 130 cancelled
              --json              one JSON event per line
              -v, --verbose       every log line
  build --cleanup
            release what builds of a crashed Slipway left behind (journal recovery)
  nodes ls [--json]
            the node inventory ($XDG_CONFIG_HOME/slipway/nodes.yaml)
  nodes status [--json]
            poll every node once through the connection pool; exit 1 if one is not reachable
            (unknown host keys are refused here: accept them in the console)
  nodes exec [--nodes a,b] [--rounds N] [--timeout S] [--json] -- COMMAND
            run a command on every node (or those named) at once through the pool;
            --rounds repeats it over the same connections, timing each round
  nodes import-ssh-config [--path FILE] [--dry-run] [--json]
            add the hosts of ~/.ssh/config to the inventory
  publish --arch A [--subarch S] --release R --purpose P (--from-build ID | --kernel F --initrd F)
            publish a netboot kernel and initrd into <tftp root>/A/S/R/P as a new
            content-addressed version switched in by one rename; identical content
            changes nothing ("unchanged"); exit 0 published or unchanged, 1 failed
              --tftp-root DIR     default $SLIPWAY_TFTP_ROOT, /srv/tftp as root
              --json              the result as JSON
  publish ls [--tftp-root DIR] [--json]
            what the TFTP tree serves now
            a build's publish carries its root image (squashfs) for diskless boot
            (live-boot in the image); from files: --root FILE.squashfs
  boot BUILD [--image NAME] [--marker TEXT] [--timeout S] [--memory MiB] [--append ARGS] [-q] [--json]
            boot the build's image in QEMU with its own kernel (KVM, or TCG where
            /dev/kvm is missing), the serial console as it comes, until the marker
            (default "login:"); exit 0 booted, 1 not booted, 130 cancelled
  netboot serve --interface IF [--mode proxy-dhcp|dhcp|tftp-only] [--address A]
                [--http-port N] [--dhcp-range START,END] [--netns NS] [--console ttyS0,115200]
            start (or restart) the TFTP service (dnsmasq; proxy-DHCP beside the lab's
            DHCP server by default) and the HTTP server for root images; they keep
            running after this command ends
  netboot status | stop | nodes [--json]
            the services; each netbooting node (mac: and netboot: in the inventory):
            the version it boots next, the one it booted last, its last boot's steps
  netboot args PURPOSE [ARGS…]      kernel arguments added for a purpose (none: cleared)
  netboot rollback ARCH/SUBARCH/RELEASE/PURPOSE VERSION
            point a purpose back at a version it kept (one rename)
  netboot pin NODE VERSION | netboot unpin NODE
            hold one node at a kept version of its purpose (its config rewritten
            by one rename; the version is kept while pinned), or let it follow again
  deploy IMAGE --extension X [--extension Y …] [--env NAME=value …] [--secret NAME …] --target T
            overlay deploy: IMAGE (a build id, BUILD:IMAGE or an image file) mounted
            read-only under an overlayfs, extensions run in order with the merged
            tree as argument, slipway/deployment.meta written, then the target:
            tar:FILE | rawdisk:FILE | ssh-rsync:NODE:PATH; the image is never
            modified; exit 0 deployed, 1 failed, 130 cancelled
              --force             replace an existing target without asking
              --json              one JSON event per line
              -v, --verbose       every log line
  deploy extensions | deploy ls [--json]
            the extensions found ($SLIPWAY_EXTENSIONS_DIRS), the deploys so far
  app deploy APP.yaml [--nodes a,b] [--wait] [--json]
            deploy an application (NEPI's lifecycle) to its nodes: home, upload,
            depends, build once per platform and spread, install, start detached;
            returns once every node runs (--wait: once every node ended);
            exit 1 if a node failed
  app status [RUN] [--json]      runs, or one run's nodes (polled now)
  app stop RUN [--nodes a,b]     TERM to each node's process group, KILL after the grace period
  app retry RUN                  rerun the lifecycle on the failed nodes only
  app traces RUN [--node N] [--stream stdout|stderr|buildlog] [-f|--follow]
            every node's traces (also kept in the run's results folder)
  app blacklist [--remove NODE]  nodes whose errors said they are broken, with why
  containers ls [--node N | --root DIR] [--state S] [--rounds N] [--json]
            containers of Treadmill node roots (nodes labelled treadmill or
            treadmill=/root), one command per node; --root reads a local directory;
            --rounds scans again in full over the same connections, timing each
  containers trace INSTANCE [--node N | --root DIR]
            the instance's events, as treadmill trace words them
  containers configure NODE MANIFEST.yaml
            Treadmill's configure on the node: validated, created down, a configured event
  containers start|stop|terminate|remove NODE INSTANCE
            run it under s6 (overlay root from its image), stop it, terminate it
            (to cleanup/), remove it after cleanup
`;

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'start':
      return runStart(parseStartArgs(rest));
    case 'doctor':
      return runDoctor(parseDoctorArgs(rest));
    case 'build':
      return runBuild(parseBuildArgs(rest));
    case 'nodes':
      return runNodes(rest);
    case 'publish':
      return runPublish(rest);
    case 'boot':
      return runBoot(rest);
    case 'netboot':
      return runNetboot(rest);
    case 'deploy':
      return runDeploy(rest);
    case 'app':
      return runApp(rest);
    case 'containers':
      return runContainers(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return verb === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${verb}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`slipway: ${(error as Error).message}\n\n${usage}`);
      process.exit(2);
    }
    // The operator gets what went wrong, in one line; a stack trace only when asked for (SLIPWAY_DEBUG=1).
    const message = error instanceof Error ? (process.env.SLIPWAY_DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
    process.stderr.write(`slipway: ${message}\n`);
    process.exit(1);
  },
);
