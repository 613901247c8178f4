import { mountDepth } from '../../shared/contract/index.js';
import { cmd, err, fail, humanSize, out, pause, progress, type ScriptContext, type ScriptRun, type StepScripts } from './mock-build-context.js';
import { debootstrap, installPackages } from './mock-build-debootstrap.js';

/**
 * The scripted output of every build step, modelled on what fuel-agent's
 * do_build_image runs and prints. Pauses are in milliseconds at speed 1; a
 * default spec takes about 4 s. When `ctx.failing`, the step fails the way it
 * does on a real host, with the lines an operator would see.
 */

const byDepth = (ctx: ScriptContext) => [...ctx.spec.images].sort((a, b) => mountDepth(a.mountPoint) - mountDepth(b.mountPoint));
const at = (ctx: ScriptContext, mountPoint: string) => (mountPoint === '/' ? ctx.chroot : `${ctx.chroot}${mountPoint}`);
const loopOf = (ctx: ScriptContext, image: string) => ctx.loops.get(image) ?? '/dev/loop0';

function* sparseFiles(ctx: ScriptContext): ScriptRun {
  for (const fs of ctx.spec.images) {
    yield cmd(`truncate -s ${fs.size} ${ctx.workspace}/${fs.name}.img`);
    if (ctx.failing) {
      yield err(`truncate: failed to truncate '${ctx.workspace}/${fs.name}.img' at ${fs.size} bytes: No space left on device`);
      return yield fail(`no space left on device for ${fs.name}.img (${humanSize(fs.size)})`);
    }
    yield progress(`${fs.name}.img: ${humanSize(fs.size)} sparse`);
    yield pause(60);
  }
}

function* loopDevices(ctx: ScriptContext): ScriptRun {
  for (const fs of ctx.spec.images) {
    yield cmd(`losetup --find --show ${ctx.workspace}/${fs.name}.img`);
    if (ctx.failing) {
      yield err('losetup: cannot find an unused loop device');
      return yield fail('no free loop device (all 8 in use; load loop with max_loop=64?)');
    }
    yield pause(50);
    yield out(loopOf(ctx, fs.name));
    yield progress(`${fs.name}.img on ${loopOf(ctx, fs.name)}`);
  }
}

function* mkfs(ctx: ScriptContext): ScriptRun {
  for (const fs of ctx.spec.images) {
    const loop = loopOf(ctx, fs.name);
    const blocks = Math.floor(fs.size / 4096);
    yield cmd(`mkfs.${fs.fsType} -F${fs.label ? ` -L ${fs.label}` : ''}${fs.options.map((o) => ` ${o}`).join('')} ${loop}`);
    yield out('mke2fs 1.47.0 (5-Feb-2023)');
    if (ctx.failing) {
      yield err(`mkfs.${fs.fsType}: Device size reported to be zero.  Invalid partition specified, or`);
      yield err('\tpartition table wasn\'t reread after running fdisk, due to');
      yield err('\ta modified partition being busy and in use.  You may need to reboot');
      yield err('\tto re-read your partition table.');
      return yield fail(`mkfs.${fs.fsType} ${loop}: device size reported to be zero`);
    }
    yield out('Discarding device blocks: done');
    yield out(`Creating filesystem with ${blocks} 4k blocks and ${Math.floor(blocks / 4)} inodes`);
    yield out(`Filesystem UUID: ${ctx.artifacts.find((a) => a.image === fs.name)?.rawMd5.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5') ?? ''}`);
    yield out('Superblock backups stored on blocks: ');
    yield out('\t32768, 98304, 163840, 229376, 294912');
    yield pause(90);
    yield out('Allocating group tables: done');
    yield out('Writing inode tables: done');
    if (fs.fsType !== 'ext2') yield out(`Creating journal (${blocks >= 262144 ? 16384 : 4096} blocks): done`);
    yield out('Writing superblocks and filesystem accounting information: done');
    yield progress(`${fs.fsType} on ${loop}`);
    yield pause(60);
  }
}

function* chrootDir(ctx: ScriptContext): ScriptRun {
  yield cmd(`mkdir -p ${ctx.chroot}`);
  if (ctx.failing) {
    yield err(`mkdir: cannot create directory '${ctx.chroot}': Read-only file system`);
    return yield fail(`${ctx.workspace} is read-only`);
  }
  yield pause(60);
}

function* mount(ctx: ScriptContext): ScriptRun {
  for (const fs of byDepth(ctx)) {
    const target = at(ctx, fs.mountPoint);
    if (fs.mountPoint !== '/') yield cmd(`mkdir -p ${target}`);
    yield cmd(`mount -t ${fs.fsType} ${loopOf(ctx, fs.name)} ${target}`);
    if (ctx.failing) {
      yield err(`mount: ${target}: wrong fs type, bad option, bad superblock on ${loopOf(ctx, fs.name)}, missing codepage or helper program, or other error.`);
      yield err('       dmesg(1) may have more information after failed mount system call.');
      return yield fail(`mount ${loopOf(ctx, fs.name)} on ${fs.mountPoint}: bad superblock`);
    }
    yield progress(`${fs.mountPoint} mounted`);
    yield pause(40);
  }
}

function* postInstall(ctx: ScriptContext): ScriptRun {
  const { postInstall: post } = ctx.spec;
  if (post.hostname) yield cmd(`echo ${post.hostname} > ${ctx.chroot}/etc/hostname`);
  yield cmd(`write ${ctx.chroot}/etc/fstab`);
  for (const fs of byDepth(ctx)) yield out(`LABEL=${fs.label ?? fs.name}\t${fs.mountPoint}\t${fs.fsType}\tdefaults\t0\t${fs.mountPoint === '/' ? 1 : 2}`);
  yield pause(50);
  if (post.rootAuthorizedKeys.length > 0) {
    yield cmd(`install -D -m 0600 authorized_keys ${ctx.chroot}/root/.ssh/authorized_keys (${post.rootAuthorizedKeys.length} keys)`);
  }
  for (const file of post.files) {
    yield cmd(`install -D -m ${file.mode} <${file.content.length} bytes> ${ctx.chroot}${file.path}`);
    if (ctx.failing) {
      yield err(`install: cannot create regular file '${ctx.chroot}${file.path}': No such file or directory`);
      return yield fail(`cannot write ${file.path}`);
    }
  }
  if (ctx.failing) {
    yield cmd(`chroot ${ctx.chroot} systemctl enable ssh`);
    yield err('Failed to enable unit: Unit file ssh.service does not exist.');
    return yield fail('systemctl enable ssh: unit file ssh.service does not exist');
  }
  yield cmd(`chroot ${ctx.chroot} apt-get clean`);
  yield cmd(`rm -rf ${ctx.chroot}/var/lib/apt/lists/* ${ctx.chroot}/tmp/*`);
  yield progress('hostname, fstab, keys and files written');
  yield pause(140);
}

function* unmount(ctx: ScriptContext): ScriptRun {
  yield cmd(`fuser -k -m ${ctx.chroot}`);
  yield pause(60);
  if (ctx.failing) {
    yield cmd(`umount ${ctx.chroot}/proc`);
    yield err(`umount: ${ctx.chroot}/proc: target is busy.`);
    return yield fail(`${ctx.chroot}/proc is still busy after killing chrooted processes`);
  }
  for (const point of ['/proc', '/sys', '/dev/pts', '/dev']) yield cmd(`umount ${ctx.chroot}${point}`);
  for (const fs of byDepth(ctx).reverse()) {
    yield cmd(`umount ${at(ctx, fs.mountPoint)}`);
    yield pause(30);
  }
  yield progress('all file systems unmounted');
}

function* detach(ctx: ScriptContext): ScriptRun {
  for (const fs of ctx.spec.images) {
    yield cmd(`losetup -d ${loopOf(ctx, fs.name)}`);
    if (ctx.failing) {
      yield err(`losetup: ${loopOf(ctx, fs.name)}: detach failed: Device or resource busy`);
      return yield fail(`${loopOf(ctx, fs.name)} is busy`);
    }
    yield pause(30);
  }
}

const e2fsckPasses = ['Checking inodes, blocks, and sizes', 'Checking directory structure', 'Checking directory connectivity', 'Checking reference counts', 'Checking group summary information'];

function* shrink(ctx: ScriptContext): ScriptRun {
  for (const artifact of ctx.artifacts) {
    const file = `${ctx.workspace}/${artifact.image}.img`;
    const blocks = artifact.rawSize / 4096;
    yield cmd(`e2fsck -f -y ${file}`);
    for (const [index, pass] of e2fsckPasses.entries()) yield out(`Pass ${index + 1}: ${pass}`);
    yield out(`${artifact.image}: 11853/${Math.floor(blocks / 2)} files (0.2% non-contiguous), ${Math.floor(blocks * 0.9)}/${blocks * 3} blocks`);
    yield pause(60);
    yield cmd(`resize2fs -M ${file}`);
    yield out('resize2fs 1.47.0 (5-Feb-2023)');
    if (ctx.failing) {
      yield err(`resize2fs: New size smaller than minimum (${Math.round(blocks * 1.1)})`);
      return yield fail(`resize2fs ${artifact.image}.img: new size smaller than minimum`);
    }
    yield out(`Resizing the filesystem on ${file} to ${blocks} (4k) blocks.`);
    yield out(`The filesystem on ${file} is now ${blocks} (4k) blocks long.`);
    yield cmd(`truncate -s ${artifact.rawSize} ${file}`);
    yield progress(`${artifact.image}.img shrunk to ${humanSize(artifact.rawSize)}`);
    yield pause(80);
  }
}

function* compress(ctx: ScriptContext): ScriptRun {
  for (const artifact of ctx.artifacts) {
    if (artifact.container === 'raw') continue;
    yield cmd(`gzip -6 -c ${ctx.workspace}/${artifact.image}.img > ${ctx.workspace}/${artifact.image}.img.gz`);
    for (const percent of [20, 40, 60, 80, 100]) {
      yield pause(50);
      if (ctx.failing && percent === 60) {
        yield err('gzip: stdout: No space left on device');
        return yield fail(`no space left on device while compressing ${artifact.image}.img`);
      }
      yield progress(`${artifact.image}.img.gz ${percent}%`);
    }
  }
}

function* publish(ctx: ScriptContext): ScriptRun {
  const dir = `${ctx.spec.output.dir}/${ctx.spec.name}`;
  yield cmd(`mkdir -p ${dir}`);
  for (const artifact of ctx.artifacts) {
    const name = artifact.path.slice(artifact.path.lastIndexOf('/') + 1);
    yield cmd(`mv ${ctx.workspace}/${name} ${artifact.path}.part`);
    if (ctx.failing) {
      yield err(`mv: cannot create regular file '${artifact.path}.part': Permission denied`);
      return yield fail(`cannot write into ${dir}: permission denied`);
    }
    yield out(`${artifact.containerMd5}  ${name}`);
    yield out(`${artifact.containerSha256}  ${name}`);
    yield cmd(`mv ${artifact.path}.part ${artifact.path}`);
    yield pause(50);
  }
  yield cmd(`write ${ctx.metadataPath}`);
  yield out(`${ctx.artifacts.length} image(s), ${ctx.spec.packages.length} package(s) listed in the metadata`);
  yield progress(`${ctx.artifacts.length} artifact(s) in ${dir}`);
  yield pause(40);
}

export const stepScripts: StepScripts = {
  'sparse-files': sparseFiles,
  'loop-devices': loopDevices,
  mkfs,
  'chroot-dir': chrootDir,
  mount,
  debootstrap,
  'install-packages': installPackages,
  'post-install': postInstall,
  unmount,
  detach,
  shrink,
  compress,
  publish,
};
