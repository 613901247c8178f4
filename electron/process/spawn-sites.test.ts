import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../backend/app-paths.js';

/**
 * Every place the product starts a process, and why its operands cannot be
 * taken for options. A new spawn site fails this test until it is reviewed and
 * listed here (issue 12: argument vectors). Sites are `file command`, where
 * command is the literal program name, or the expression that names it.
 */
const reviewed: Record<string, string> = {
  // The process edges: each takes a file and an argv array, never a shell string.
  'electron/process/runner.ts file': 'the runner itself: execa(file, args) with an argv array, no shell',
  'electron/helper/op-context.ts file': 'must(): passes the caller\u2019s argv array to the runner',
  'electron/helper/helper-client.ts file': 'unshare/sudo/pkexec with fixed flags; operands are the workspace and output roots, absolute paths',
  'electron/cli/start.ts binary': 'the Electron binary with the app\u2019s main file and fixed flags',
  'electron/cli/desktop-availability.ts process.execPath': 'node with the absolute path of electron\u2019s install.js',
  'bin/slipway.mjs \'npm\'': 'npm run --silent build: fixed words',
  'scripts/test-nodes.mjs process.execPath': 'this node with the bundled test-node launcher and the operator\u2019s own arguments (a test fixture, run by hand or by benchmarks)',
  'scripts/test.mjs file': 'the test runner\u2019s own helper: argv arrays below',
  'scripts/test.mjs \'dpkg-query\'': 'package names from scripts/host-packages.txt',
  'scripts/test.mjs \'apt-get\'': 'package names from scripts/host-packages.txt',
  'scripts/test.mjs \'npx\'': 'fixed words and a path under the repository',
  'scripts/test.mjs \'npm\'': 'npm run lint and npm run build:helper: fixed words',
  // Root helper operations: every operand is an absolute path confined to the workspace or the output folder.
  'electron/helper/build-registry.ts \'umount\'': 'mount points from /proc/self/mountinfo under the build directory: absolute',
  'electron/helper/deploy-ops.ts \'mount\'': 'overlay layers confined to the build directory, refused if they hold , : or \\',
  'electron/helper/deploy-ops.ts executable': 'an extension: an absolute path checked to be an executable file; its one operand is the merged tree, absolute',
  'electron/helper/deploy-ops.ts \'tar\'': 'absolute paths confined to the build directory; the member is "."',
  'electron/helper/deploy-ops.ts \'mksquashfs\'': 'the mounted tree and the root image file, absolute; fixed flags after them',
  'electron/helper/deploy-ops.ts \'du\'': 'the merged tree, absolute',
  'electron/helper/deploy-ops.ts \'mke2fs\'': 'the merged tree and the image file, absolute',
  'electron/helper/helper-ops.ts \'mount\'': 'loop devices checked against /dev/loopN, mount points confined to the build directory',
  'electron/helper/mmdebstrap-op.ts \'mmdebstrap\'': 'fixed flags; variant and arch matched by the spec contract, the hook path refused unless letters, digits and ._-/; -- before suite, target (absolute) and mirror (a URI)',
  'electron/helper/helper-ops.ts \'debootstrap\'': 'suite and variant matched by the spec contract (no leading "-"), target absolute, mirror a URI',
  'electron/helper/helper-ops.ts \'/usr/sbin/chroot\'': 'root confined to the build; argv only apt-get/dpkg/dpkg-query, -o/-c refused, package names matched by the contract',
  'electron/helper/helper-ops.ts \'fstrim\'': 'only a mount point this build made (resolved against the build directory)',
  'electron/helper/base-cache-ops.ts \'cp\'': '--sparse=always, then -- before the base image in the workspace cache and a file confined to the build directory',
  'electron/helper/base-cache-ops.ts \'sync\'': '-f, then -- before a mount point this build made',
  'electron/helper/reproducible-ops.ts \'mke2fs\'': 'populateArgs(): mkfsArgs() with the spec-derived UUID and hash seed, -d a mount point this build made, the image file in the build directory',
  'electron/helper/reproducible-ops.ts \'debugfs\'': '-w -f a command file the helper wrote (paths quoted as ss_parse reads them), then -- before the image file',
  'electron/helper/prefetch/deb-prefetch.ts \'gpgv\'': '--keyring the archive keyring, --output a file in the prefetch scratch directory, then -- before the downloaded InRelease there',
  'electron/helper/system/ext-fs.ts \'mkfs\'': 'mkfsArgs(): tuning flags matched one by one by the spec contract, the device a /dev/loopN',
  'electron/helper/system/ext-fs.ts \'tune2fs\'': 'the image file, absolute',
  'electron/helper/system/ext-fs.ts \'e2fsck\'': 'the image file, absolute',
  'electron/helper/system/ext-fs.ts \'resize2fs\'': 'the image file, absolute',
  'electron/helper/system/ext-fs.ts \'dumpe2fs\'': 'the image file, absolute',
  'electron/helper/system/artifact-pack.ts compressor.file': 'pigz, gzip or zstd (compressorFor()): fixed flags, no operand; the image comes on stdin',
  'electron/helper/system/losetup.ts \'losetup\'': 'the backing file, absolute; devices checked against /dev/loopN',
  // The backend as the operator.
  'electron/boot/qemu-boot.ts file!': 'qemu-system-x86_64 (tests: ip netns exec NAME before it) with qemuArgs(): fixed flags; disk paths refused with "," or "=", MAC and interface matched by pattern',
  'electron/publish/netboot-services.ts \'ip\'': 'ip [-n NS] -4 -o addr show dev IF: interface and namespace names matched by the contract',
  'electron/publish/netboot-services.ts command!': 'dnsmasq or node with the HTTP server\u2019s entry, or ip netns exec NAME before them: option words of dnsmasqArgs() with contract-checked values, paths absolute',
  'electron/apps/pack-sources.ts \'tar\'': 'members are "./name" (pack-sources.ts), so no source name is an option',
  'electron/containers/container-service.ts \'sh\'': 'a scan script of the one script builder (electron/remote/shell-script.ts) for a local node root',
  'electron/readiness/probe-tool.ts \'dpkg-query\'': 'package names of the readiness list, fixed',
  'electron/readiness/probe-tool.ts path': 'a tool of the readiness list with its fixed version flags',
};

const processFunctions = new Set(['execa', 'execaSync', 'spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork']);
const runnerCallees = /^(run|runner|ctx\.run|deps\.run|this\.run|options\.run)$/;

interface Site {
  site: string;
  line: number;
  argv: ts.SyntaxKind | null;
}

function sitesIn(file: string): Site[] {
  const source = ts.createSourceFile(file, readFileSync(`${packageRoot()}/${file}`, 'utf8'), ts.ScriptTarget.Latest, true);
  const imported = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!/^(node:)?child_process$|^execa$/.test(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) if (processFunctions.has(element.name.text)) imported.add(element.name.text);
  }
  // Loaded when first needed (`const { execa } = await import('execa')`, so start-up does not pay for it): a spawn site all the same.
  const lazyImports = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer) {
      const call = ts.isAwaitExpression(node.initializer) ? node.initializer.expression : node.initializer;
      const [specifier] = ts.isCallExpression(call) && call.expression.kind === ts.SyntaxKind.ImportKeyword ? call.arguments : [];
      if (specifier && ts.isStringLiteral(specifier) && /^(node:)?child_process$|^execa$/.test(specifier.text)) {
        for (const element of node.name.elements) if (processFunctions.has((element.propertyName ?? element.name).getText(source))) imported.add(element.name.getText(source));
      }
    }
    ts.forEachChild(node, lazyImports);
  };
  lazyImports(source);
  const found: Site[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      const args = node.arguments;
      // A runner takes (file, argv[, options]); must() takes (ctx, what, file, argv). Calls of other shapes with those names are not processes.
      const [command, argv] =
        imported.has(callee) || (runnerCallees.test(callee) && args.length >= 2) ? [args[0], args[1]] : callee === 'must' && args.length === 4 ? [args[2], args[3]] : [];
      if (command) found.push({ site: `${file} ${command.getText(source)}`, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, argv: argv?.kind ?? null });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function productFiles(): string[] {
  return execFileSync('git', ['ls-files', '--', 'electron', 'shared', 'scripts', 'bin'], { cwd: packageRoot(), encoding: 'utf8' })
    .split('\n')
    .filter((file) => /\.(ts|mjs)$/.test(file) && !/\.test\.ts$|\/test-support\/|^electron\/mock\//.test(file));
}

describe('every process Slipway starts (spawn sites)', () => {
  const sites = productFiles().flatMap(sitesIn);

  it('is listed and reviewed here, and every listed site still exists', () => {
    const unreviewed = sites.filter((s) => !(s.site in reviewed)).map((s) => `${s.site} (line ${s.line})`);
    expect(unreviewed).toEqual([]);
    const gone = Object.keys(reviewed).filter((site) => !sites.some((s) => s.site === site));
    expect(gone).toEqual([]);
  });

  it('passes an argument vector, never a command line for a shell to split', () => {
    const argvKinds = new Set([ts.SyntaxKind.ArrayLiteralExpression, ts.SyntaxKind.Identifier, ts.SyntaxKind.CallExpression, ts.SyntaxKind.PropertyAccessExpression]);
    const strings = sites.filter((s) => s.argv === null || !argvKinds.has(s.argv)).map((s) => `${s.site} (line ${s.line})`);
    expect(strings).toEqual([]);
    expect(sites.length).toBeGreaterThanOrEqual(Object.keys(reviewed).length);
  });
});
