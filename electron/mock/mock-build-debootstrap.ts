import { cmd, err, fail, out, pause, progress, type ScriptContext, type ScriptRun } from './mock-build-context.js';
import { dependencyPackages, requiredPackages, versionOf, type DebianPackage } from './mock-build-packages.js';

/** Lines the `huge-log` spec writes during debootstrap, to exercise the log viewer. */
export const hugeLogLines = 300_000;

/** A small stable number per package name, so sizes and file counts look varied but repeat. */
function spread(name: string, range: number): number {
  let hash = 5381;
  for (const char of name) hash = ((hash * 33) ^ char.charCodeAt(0)) >>> 0;
  return hash % range;
}

const debVersion = (version: string) => version.replace(/^\d+:/, '');
const debFile = (p: DebianPackage) => `${p.name}_${debVersion(p.version)}_amd64.deb`;

/**
 * dpkg's "(Reading database ..." progress, as a build log shows it: each
 * carriage-return update becomes a line of its own.
 */
function* unpack(p: DebianPackage, installedFiles: number, archive: string): ScriptRun {
  yield out(`Selecting previously unselected package ${p.name}.`);
  yield out('(Reading database ... ');
  for (let percent = 5; percent <= 100; percent += 5) yield out(`(Reading database ... ${percent}%`);
  yield out(`(Reading database ... ${installedFiles} files and directories currently installed.)`);
  yield out(`Preparing to unpack ${archive} ...`);
  yield out(`Unpacking ${p.name} (${p.version}) ...`);
}

function* setUp(p: DebianPackage): ScriptRun {
  yield out(`Setting up ${p.name} (${p.version}) ...`);
  if (p.name === 'passwd') yield out('Creating group \'shadow\' with GID 42.');
  if (p.name === 'openssh-server') {
    yield out('Creating config file /etc/ssh/sshd_config with new version');
    yield out('Creating SSH2 RSA key; this may take some time ...');
    yield out('Creating SSH2 ECDSA key; this may take some time ...');
    yield out('Creating SSH2 ED25519 key; this may take some time ...');
  }
  if (p.name === 'mawk') yield out('update-alternatives: using /usr/bin/mawk to provide /usr/bin/awk (awk) in auto mode');
}

/** Lines per event in a flood: about 220 KB, so that one event nearly fills a transport frame (256 KiB, electron/transport/event-pump.ts). */
const floodBatch = 2_500;

function* hugeExtract(total: number, flood: boolean): ScriptRun {
  const chunk = flood ? floodBatch : 6_000;
  const langs = ['de', 'fr', 'es', 'it', 'ja', 'pt_BR', 'ru', 'zh_CN'];
  for (let i = 0; i < total; i += 1) {
    const p = requiredPackages[i % requiredPackages.length]!;
    yield out(`./usr/share/locale/${langs[i % langs.length]}/LC_MESSAGES/${p.name}.mo (file ${i + 1} of ${total})`);
    // Pause in large chunks: the viewer must cope with big batches, and the test with a quick build.
    // A progress flushes the lines so far as one event (mock-build-run.ts); a flood's pause of 0 only yields.
    if (i % chunk === chunk - 1) {
      yield progress(`extracting: ${(i + 1).toLocaleString('en-US')} of ${total.toLocaleString('en-US')} files`);
      yield pause(flood ? 0 : 25);
    }
  }
}

export function* debootstrap(ctx: ScriptContext): ScriptRun {
  const { spec, mirror, chroot } = ctx;
  const include = spec.packages.length > 0 ? ` --include=${spec.packages.map((p) => p.split('=')[0]).join(',')}` : '';
  yield cmd(`debootstrap --verbose --arch=${spec.arch} --variant=${spec.variant}${include} ${spec.suite} ${chroot} ${mirror}`);
  yield out('I: Retrieving InRelease ');
  yield out('I: Checking Release signature');
  yield out('I: Valid Release signature (key id 4D64FEC119C2029067D6E791F8D2585B8783D481)');
  yield pause(60);
  yield out('I: Retrieving Packages ');
  yield out('I: Validating Packages ');
  yield out('I: Resolving dependencies of required packages...');
  yield out('I: Resolving dependencies of base packages...');
  yield out(`I: Checking component main on ${mirror}...`);
  const total = requiredPackages.length;
  for (const [index, p] of requiredPackages.entries()) {
    yield out(`I: Retrieving ${p.name} ${p.version}`);
    if (ctx.failing && index === 31) {
      yield err(`E: Couldn't download ${mirror}/pool/main/${p.name.startsWith('lib') ? p.name.slice(0, 4) : p.name[0]}/${p.name}/${debFile(p)}`);
      yield err(`W: Failure trying to run: chroot "${chroot}" /bin/true`);
      return yield fail(`couldn't download ${p.name} ${p.version} from ${mirror}`);
    }
    yield out(`I: Validating ${p.name} ${p.version}`);
    if (index % 8 === 7) yield progress(`retrieving packages: ${index + 1} of ${total}`);
    yield pause(4);
  }
  yield out('I: Chosen extractor for .deb packages: dpkg-deb');
  for (const p of requiredPackages) {
    yield out(`I: Extracting ${p.name}...`);
    yield pause(3);
  }
  if (ctx.hugeLog) yield* hugeExtract(ctx.floodLines ?? hugeLogLines, Boolean(ctx.floodLines));
  yield out('I: Installing core packages...');
  yield out('I: Unpacking required packages...');
  let files = 0;
  for (const [index, p] of requiredPackages.entries()) {
    yield out(`I: Unpacking ${p.name}...`);
    yield* unpack(p, files, `/var/cache/apt/archives/${debFile(p)}`);
    files += 20 + spread(p.name, 400);
    if (index % 8 === 7) yield progress(`unpacking: ${index + 1} of ${total}`);
    yield pause(6);
  }
  yield out('I: Configuring required packages...');
  for (const p of requiredPackages) {
    yield out(`I: Configuring ${p.name}...`);
    yield* setUp(p);
    yield pause(3);
  }
  yield out('Processing triggers for libc-bin (2.36-9+deb12u7) ...');
  yield out('I: Configuring the base system...');
  yield out('I: Base system installed successfully.');
  yield progress(`${total} packages installed`);
}

function* wrapped(names: string[]): ScriptRun {
  let line = ' ';
  for (const name of names) {
    if (line.length + name.length > 78) {
      yield out(line);
      line = ' ';
    }
    line += ` ${name}`;
  }
  if (line.trim()) yield out(line);
}

export function* installPackages(ctx: ScriptContext): ScriptRun {
  const { spec, chroot, mirror } = ctx;
  yield cmd(`chroot ${chroot} apt-get update`);
  yield out(`Hit:1 ${mirror} ${spec.suite} InRelease`);
  for (const [index, repo] of spec.repos.entries()) yield out(`Get:${index + 2} ${repo.uri} ${repo.suite} InRelease [${40 + spread(repo.name, 120)} kB]`);
  yield pause(120);
  yield out('Reading package lists...');
  if (spec.packages.length === 0 && !ctx.failing) {
    yield progress('no extra packages');
    return;
  }
  const wanted = spec.packages.map((p) => ({ name: p.split('=')[0] ?? p, version: versionOf(p) }));
  const extra = dependencyPackages.filter((d) => !wanted.some((w) => w.name === d.name));
  const all = [...wanted, ...extra];
  yield cmd(`chroot ${chroot} apt-get install -y --no-install-recommends ${spec.packages.join(' ')}`);
  yield out('Reading package lists...');
  yield out('Building dependency tree...');
  yield out('Reading state information...');
  yield pause(60);
  if (ctx.failing) {
    yield err('E: Unable to locate package nosuchpkg');
    return yield fail('apt-get install: unable to locate package nosuchpkg');
  }
  yield out('The following additional packages will be installed:');
  yield* wrapped(extra.map((p) => p.name));
  yield out('The following NEW packages will be installed:');
  yield* wrapped(all.map((p) => p.name));
  const kilobytes = all.reduce((sum, p) => sum + 30 + spread(p.name, 2_400), 0);
  yield out(`0 upgraded, ${all.length} newly installed, 0 to remove and 0 not upgraded.`);
  yield out(`Need to get ${(kilobytes / 1000).toFixed(1)} MB of archives.`);
  yield out(`After this operation, ${Math.round((kilobytes * 3.6) / 1000)} MB of additional disk space will be used.`);
  for (const [index, p] of all.entries()) {
    yield out(`Get:${index + 1} ${mirror} ${spec.suite}/main amd64 ${p.name} amd64 ${p.version} [${30 + spread(p.name, 2_400)} kB]`);
    if (index % 6 === 5) yield pause(8);
  }
  yield out(`Fetched ${(kilobytes / 1000).toFixed(1)} MB in 3s (${(kilobytes / 3000).toFixed(1)} MB/s)`);
  yield err('debconf: delaying package configuration, since apt-utils is not installed');
  let files = 6_523;
  for (const [index, p] of all.entries()) {
    yield* unpack(p, files, `.../${String(index).padStart(2, '0')}-${debFile(p)}`);
    files += 20 + spread(p.name, 600);
    if (index % 5 === 4) yield progress(`unpacking: ${index + 1} of ${all.length}`);
    yield pause(6);
  }
  for (const p of all) {
    yield* setUp(p);
    yield pause(2);
  }
  yield out('Processing triggers for libc-bin (2.36-9+deb12u7) ...');
  if (all.some((p) => p.name.startsWith('linux-image'))) {
    yield out('Processing triggers for initramfs-tools (0.142) ...');
    yield out('update-initramfs: Generating /boot/initrd.img-6.1.0-28-amd64');
    yield pause(80);
  }
  yield progress(`${all.length} packages installed`);
}
