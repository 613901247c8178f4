import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NetbootSource, NetbootTarget, SlipwayError, TreeHost, treeWhereText, type TftpEntry } from '../../shared/contract/index.js';
import { createRealBackend } from '../app/real-backend.js';
import { UsageError } from './args.js';
import { commands } from './usage.js';
import { formatSize } from './build.js';
import { paint, table, useColour } from './terminal-output.js';

function entryRows(entries: readonly TftpEntry[]): string[][] {
  return [
    ['ARCH/SUBARCH/RELEASE/PURPOSE', 'VERSION', 'SIZE', 'PUBLISHED', 'SOURCE', 'KEPT'],
    ...entries.map((e) => [`${e.arch}/${e.subarch}/${e.release}/${e.purpose}`, e.version, formatSize(e.bytes), e.publishedAt ?? '—', e.source ?? '—', String(e.retained)]),
  ];
}

/**
 * `slipway publish …` (netboot kernel and initrd into the TFTP tree) and
 * `slipway publish ls`. Exit 0 published or unchanged, 1 failed, 2 usage.
 */
export async function runPublish(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: commands.publish.options,
    allowPositionals: true,
    strict: true,
  });
  const listing = positionals[0] === 'ls';
  if (positionals.length > (listing ? 1 : 0)) throw new UsageError(`publish: unexpected "${positionals.join(' ')}"`);
  if (values.host !== undefined && !listing) throw new UsageError('--host goes with ls: a build\'s publish goes to the host it was built on by itself');
  if (values.host !== undefined && values['tftp-root'] !== undefined) throw new UsageError('--host reads that build host\'s tree ($SLIPWAY_HOST_TFTP_ROOT there): leave out --tftp-root');
  const host = values.host === undefined ? undefined : TreeHost.safeParse(values.host);
  if (host && !host.success) throw new UsageError(`--host: "${values.host}" ${host.error.issues[0]!.message}`);
  const env = values['tftp-root'] ? { ...process.env, SLIPWAY_TFTP_ROOT: resolve(values['tftp-root']) } : process.env;
  const out = process.stdout;
  const colour = useColour(out);

  if (listing) {
    const backend = createRealBackend({ env, interactive: false });
    try {
      const tree = await backend.publisher.tree(host?.data);
      if (values.json) out.write(`${JSON.stringify(tree)}\n`);
      else if (tree.entries.length === 0) out.write(`nothing published under ${treeWhereText(tree)}\n`);
      else out.write(`${treeWhereText(tree)}\n${table(entryRows(tree.entries))}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof SlipwayError)) throw error;
      if (values.json) out.write(`${JSON.stringify({ error: error.toWire() })}\n`);
      process.stderr.write(`slipway publish ls: ${error.message}\n`);
      return 1;
    } finally {
      await backend.close();
    }
  }

  const target = NetbootTarget.safeParse({ arch: values.arch, subarch: values.subarch ?? 'generic', release: values.release, purpose: values.purpose });
  if (!target.success) {
    const issue = target.error.issues[0]!;
    const given = values[issue.path[0] as 'arch' | 'subarch' | 'release' | 'purpose'];
    throw new UsageError(`--${issue.path.join('.')}: ${given === undefined ? 'is required' : `"${given}" ${issue.message}`}`);
  }
  const fromFiles = values.kernel !== undefined || values.initrd !== undefined;
  if (fromFiles === (values['from-build'] !== undefined)) throw new UsageError('publish takes --from-build ID, or --kernel FILE and --initrd FILE');
  if (values.root !== undefined && !fromFiles) throw new UsageError('--root goes with --kernel and --initrd: a build\'s publish makes its root image itself');
  const source = NetbootSource.safeParse(
    fromFiles
      ? { kind: 'files', kernel: resolve(values.kernel ?? ''), initrd: resolve(values.initrd ?? ''), ...(values.root ? { root: resolve(values.root) } : {}) }
      : { kind: 'build', buildId: values['from-build'] },
  );
  if (!source.success) throw new UsageError(`--${source.error.issues[0]!.path.join('.')}: ${source.error.issues[0]!.message}`);

  const backend = createRealBackend({ env, interactive: false });
  try {
    await backend.builds.recover();
    const result = await backend.publisher.netboot(target.data, source.data);
    const { entry } = result;
    if (values.json) {
      out.write(`${JSON.stringify(result)}\n`);
    } else {
      const where = `${entry.arch}/${entry.subarch}/${entry.release}/${entry.purpose}`;
      const what = result.status === 'published' ? paint(colour, 32, 'published') : paint(colour, 36, 'unchanged');
      out.write(`${what} ${where} → ${entry.version} (${formatSize(entry.bytes)}${entry.kernelName ? `, ${entry.kernelName}` : ''})\n`);
      out.write(`  boot entry ${treeWhereText({ ...(result.host === undefined ? {} : { host: result.host }), root: `${result.root.replace(/\/+$/, '')}/${entry.bootEntry}` })}\n`);
      if (result.pruned.length > 0) out.write(`  removed after their grace period: ${result.pruned.join(', ')}\n`);
      if (result.note) out.write(`  ${paint(colour, 33, 'note')} ${result.note}\n`);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    if (values.json) out.write(`${JSON.stringify({ error: error.toWire() })}\n`);
    process.stderr.write(`slipway publish: ${error.message}\n`);
    return 1;
  } finally {
    await backend.close();
  }
}
