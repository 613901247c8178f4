import { maskedEnvironment, type DeployableImage, type DeployExtension, type DeployTarget } from '../../shared/contract/index.js';
import { cmd, err, fail, out, pause, progress, type ScriptAction, type ScriptRun } from './mock-build-context.js';
import { isFailing, isSlow } from './mock-deploy-catalog.js';

/**
 * What each step of a mocked overlay deploy prints, as Baserock's deploy
 * does it: open (unpack, attach read-only) the image, mount it as the lower
 * layer, mount an overlay over it, run each configuration extension on the
 * merged tree, write the metadata, then write the target. Scripts are
 * generators of the builds' script actions, so the same runner paces them.
 */

export interface DeployContext {
  id: string;
  image: DeployableImage;
  extensions: readonly DeployExtension[];
  /** As given: extensions get the values, but every line prints them masked. */
  env: Readonly<Record<string, string>>;
  /** Names the request declared secret, beside those whose name says so. */
  secrets: readonly string[];
  target: DeployTarget;
  /** The deploy's temp dir: lower, upper, work and merged live under it. */
  workdir: string;
  loop: string;
  /** Where the target step writes: the file, or `node:path`. */
  location: string;
  bytes: number;
  sha256: string | null;
}

export interface PlannedStep {
  id: string;
  label: string;
  script(ctx: DeployContext): ScriptRun;
}

const info = (text: string): ScriptAction => ({ kind: 'line', stream: 'info', text });
const grouped = (n: number) => n.toLocaleString('en-US');

function* openImage(ctx: DeployContext): ScriptRun {
  const { image, workdir } = ctx;
  yield cmd(`mkdir -p ${workdir}/lower ${workdir}/upper ${workdir}/work ${workdir}/merged`);
  yield info(`image ${image.name}: ${image.path} (spec ${image.specHash.slice(0, 12)}, built ${image.builtAt})`);
  if (image.path.endsWith('.gz')) {
    yield cmd(`gzip -dc ${image.path} > ${workdir}/image.raw`);
    for (const percent of [30, 65, 100]) {
      yield pause(220);
      yield progress(`unpacking: ${percent}%`);
    }
    yield out(`${workdir}/image.raw: sha256 matches the build's metadata`);
  }
  yield cmd(`losetup --find --show --read-only ${image.path.endsWith('.gz') ? `${workdir}/image.raw` : image.path}`);
  yield pause(80);
  yield out(ctx.loop);
}

function* mountLower(ctx: DeployContext): ScriptRun {
  yield cmd(`mount -o ro ${ctx.loop} ${ctx.workdir}/lower`);
  yield pause(180);
  yield out(`${ctx.workdir}/lower: ext4, read-only, 1.1G used`);
}

function* mountOverlay(ctx: DeployContext): ScriptRun {
  const w = ctx.workdir;
  yield cmd(`mount -t overlay overlay -o lowerdir=${w}/lower,upperdir=${w}/upper,workdir=${w}/work ${w}/merged`);
  yield pause(160);
  yield out(`${w}/merged: overlay ready; the image itself stays untouched`);
}

function* extensionOutput(ext: DeployExtension, env: Readonly<Record<string, string>>): ScriptRun {
  const name = ext.name;
  if (isFailing(ext)) {
    yield out(`${name}: checking the merged tree`);
    yield pause(250);
    yield err(`${name}: /etc/fstab: refusing to configure (simulated failure)`);
    yield err(`${ext.path} exited with status 1`);
    yield fail('exited with status 1');
  } else if (isSlow(ext)) {
    for (let second = 1; second <= 20; second += 1) {
      yield pause(1_000);
      yield progress(`waiting for the mirror: ${second} s`);
      yield out(`${name}: still waiting (${second} s)`);
    }
  } else if (name.startsWith('set-hostname')) {
    const hostname = env.HOSTNAME ?? 'slipway-node';
    yield pause(200);
    yield out(`${name}: /etc/hostname: ${hostname}`);
    yield out(`${name}: /etc/hosts: 127.0.1.1 ${hostname}`);
  } else if (name.startsWith('add-users')) {
    const users = (env.USERS ?? 'lab').split(',').map((u) => u.trim()).filter(Boolean);
    for (const user of users) {
      yield pause(120);
      yield out(`${name}: useradd --create-home --shell /bin/bash ${user}`);
    }
    if (env.USER_PASSWORD !== undefined) yield out(`${name}: chpasswd: password set for ${users.length} user${users.length === 1 ? '' : 's'}`);
  } else {
    yield pause(200);
    yield out(`${name}: done`);
  }
}

function extensionStep(ext: DeployExtension, index: number): PlannedStep {
  return {
    id: `extension-${index + 1}`,
    label: `Run ${ext.name}`,
    *script(ctx) {
      const shown = maskedEnvironment(ctx.env, ctx.secrets);
      yield cmd(`${ext.path} ${ctx.workdir}/merged`);
      if (Object.keys(shown).length > 0) yield info(`env: ${Object.entries(shown).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      yield* extensionOutput(ext, shown);
    },
  };
}

function* writeMetadata(ctx: DeployContext): ScriptRun {
  yield cmd(`write ${ctx.workdir}/merged/etc/slipway/deploy.yaml`);
  yield out(`image: ${ctx.image.path}`);
  yield out(`specHash: ${ctx.image.specHash}`);
  yield out(`extensions: [${ctx.extensions.map((e) => e.name).join(', ')}]`);
  yield out(`env: {${Object.entries(maskedEnvironment(ctx.env, ctx.secrets)).map(([k, v]) => `${k}: ${v}`).join(', ')}}`);
  yield pause(120);
}

function* writeTarget(ctx: DeployContext): ScriptRun {
  const { target, workdir } = ctx;
  if (target.kind === 'ssh-rsync') {
    yield cmd(`rsync -aHAX --numeric-ids --delete -e ssh ${workdir}/merged/ ${target.node}:${target.path}/`);
    for (const percent of [25, 60, 100]) {
      yield pause(300);
      yield progress(`rsync: ${percent}%`);
    }
    yield out(`sent ${grouped(ctx.bytes)} bytes  received 84,120 bytes`);
    return;
  }
  const temp = `${target.path}.tmp-${ctx.id}`;
  if (target.kind === 'tar') {
    yield cmd(`tar --numeric-owner --xattrs --acls -C ${workdir}/merged -cf ${temp} .`);
  } else {
    yield cmd(`truncate -s 2G ${temp}`);
    yield cmd(`mkfs.ext4 -q -L root ${temp}`);
    yield cmd(`cp -a ${workdir}/merged/. ${workdir}/disk/`);
  }
  for (const percent of [30, 70, 100]) {
    yield pause(280);
    yield progress(`writing: ${percent}%`);
  }
  yield cmd(`sha256sum ${temp}`);
  yield out(`${ctx.sha256}  ${temp}`);
  yield cmd(`mv -f ${temp} ${target.path}`);
  yield out(`wrote ${target.path} (${grouped(ctx.bytes)} bytes)`);
}

const targetLabel: Record<DeployTarget['kind'], string> = { tar: 'Write the tar archive', rawdisk: 'Write the raw disk image', 'ssh-rsync': 'Copy to the node with rsync' };

export function planSteps(extensions: readonly DeployExtension[], target: DeployTarget): PlannedStep[] {
  return [
    { id: 'open-image', label: 'Open the image', script: openImage },
    { id: 'mount-lower', label: 'Mount it read-only (lower layer)', script: mountLower },
    { id: 'mount-overlay', label: 'Mount the overlay', script: mountOverlay },
    ...extensions.map(extensionStep),
    { id: 'metadata', label: 'Write the deploy metadata', script: writeMetadata },
    { id: 'target', label: targetLabel[target.kind], script: writeTarget },
  ];
}

/** What a deploy releases, newest first, whatever stopped it; `reached` is the index of the last step started. */
export function releaseLines(ctx: DeployContext, steps: readonly PlannedStep[], reached: number, finished: boolean): string[] {
  const at = (id: string) => steps.findIndex((s) => s.id === id);
  const lines: string[] = [];
  if (!finished && reached === at('target') && ctx.target.kind !== 'ssh-rsync') lines.push(`+ rm -f ${ctx.target.path}.tmp-${ctx.id}`);
  if (reached >= at('mount-overlay')) lines.push(`+ umount ${ctx.workdir}/merged`);
  if (reached >= at('mount-lower')) lines.push(`+ umount ${ctx.workdir}/lower`);
  lines.push(`+ losetup -d ${ctx.loop}`);
  lines.push(`+ rm -rf ${ctx.workdir}`);
  lines.push(`released the overlay and image mounts and the temp dir ${ctx.workdir}`);
  return lines;
}
