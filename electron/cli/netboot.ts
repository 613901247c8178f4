import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KernelArgs, NetbootServeRequest, SlipwayError, TftpName, type NetbootStatus } from '../../shared/contract/index.js';
import { createRealBackend } from '../app/real-backend.js';
import { UsageError } from './args.js';
import { commands } from './usage.js';
import { errorReport } from './errors.js';
import { paint, table, useColour } from './terminal-output.js';

function printStatus(status: NetbootStatus, colour: boolean): string {
  const lines = [`TFTP root ${status.tftpRoot}${status.httpBase ? `, root images from ${status.httpBase}` : ''}`];
  for (const service of status.services) {
    lines.push(`${service.name.padEnd(5)} ${service.running ? paint(colour, 32, 'running') : paint(colour, 33, 'stopped')}  ${service.program}${service.pid ? ` (pid ${service.pid})` : ''}  ${service.detail}`);
  }
  for (const [purpose, args] of Object.entries(status.extraArgs)) lines.push(`kernel arguments for ${purpose}: ${args}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `slipway netboot serve|status|stop|nodes|args|rollback`: the TFTP and HTTP
 * services nodes boot from, and what each node boots. Exit 0, 1 failed, 2 usage.
 */
export async function runNetboot(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: commands.netboot.options,
    allowPositionals: true,
    strict: true,
  });
  const [verb, ...rest] = positionals;
  if (values.host !== undefined && verb !== 'rollback') throw new UsageError('--host goes with rollback: the netboot services run on this machine');
  const env = values['tftp-root'] ? { ...process.env, SLIPWAY_TFTP_ROOT: resolve(values['tftp-root']) } : process.env;
  const out = process.stdout;
  const colour = useColour(out);
  const backend = createRealBackend({ env, interactive: false });
  const { publisher } = backend;
  const show = (status: NetbootStatus) => out.write(values.json ? `${JSON.stringify(status)}\n` : printStatus(status, colour));
  try {
    switch (verb) {
      case 'serve': {
        const [start, end] = values['dhcp-range']?.split(',') ?? [];
        const port = values['http-port'];
        if (port !== undefined && !/^\d+$/.test(port)) throw new UsageError(`--http-port: "${port}" is not a port number`);
        const request = NetbootServeRequest.safeParse({
          interface: values.interface,
          ...(values.mode ? { mode: values.mode } : {}),
          ...(values.address ? { address: values.address } : {}),
          ...(port ? { httpPort: Number(port) } : {}),
          ...(values['dhcp-range'] ? { dhcpRange: { start, end } } : {}),
          ...(values.netns ? { netns: values.netns } : {}),
          ...(values.console !== undefined ? { console: values.console } : {}),
        });
        if (!request.success) {
          const issue = request.error.issues[0]!;
          const flag = { interface: 'interface', dhcpRange: 'dhcp-range', httpPort: 'http-port' }[String(issue.path[0])] ?? String(issue.path[0]);
          throw new UsageError(`--${flag}: ${issue.path[0] === 'interface' && values.interface === undefined ? 'is required (the interface the lab nodes are on)' : issue.message}`);
        }
        show(await publisher.serve(request.data));
        return 0;
      }
      case 'status':
        show(publisher.status());
        return publisher.status().services.every((s) => s.running) ? 0 : 1;
      case 'stop':
        show(await publisher.stop());
        return 0;
      case 'nodes': {
        const nodes = publisher.nodes();
        if (values.json) out.write(`${JSON.stringify(nodes)}\n`);
        else if (nodes.length === 0) out.write('no node has a mac in the inventory: add `mac:` and `netboot: arch/subarch/release/purpose` to a node\n');
        else {
          out.write(`${table([['NODE', 'MAC', 'BOOTS', 'NEXT', 'LAST BOOTED', 'LAST STEP'], ...nodes.map((n) => [n.node, n.mac, n.choice ?? 'local disk', n.next ?? n.problem ?? '—', n.last ? `${n.last.version} ${n.last.at}` : '—', n.progress.at(-1) ? `${n.progress.at(-1)!.stage}: ${n.progress.at(-1)!.detail}` : '—'])])}\n`);
        }
        return 0;
      }
      case 'args': {
        const [purpose, ...words] = rest;
        if (!purpose || !TftpName.safeParse(purpose).success) throw new UsageError('netboot args PURPOSE [ARGS…]: the purpose is one plain name');
        const args = KernelArgs.safeParse(words.join(' '));
        if (!args.success) throw new UsageError(`kernel arguments: ${args.error.issues[0]!.message}`);
        show(publisher.setArgs(purpose, args.data));
        return 0;
      }
      case 'pin':
      case 'unpin': {
        const [node, version] = rest;
        if (!node || (verb === 'pin') !== (version !== undefined) || rest.length > 2) throw new UsageError('netboot pin NODE VERSION | netboot unpin NODE');
        const nodes = publisher.pin(node, version ?? null);
        const now = nodes.find((n) => n.node === node)!;
        out.write(values.json ? `${JSON.stringify(now)}\n` : `${node} boots ${now.next ?? '—'} next${now.pinned ? ' (held there; `slipway netboot unpin` lets it follow its purpose)' : ` (follows ${now.choice})`}\n`);
        return 0;
      }
      case 'rollback': {
        const [where, version] = rest;
        const parts = where?.split('/') ?? [];
        if (parts.length !== 4 || !version) throw new UsageError('netboot rollback ARCH/SUBARCH/RELEASE/PURPOSE VERSION');
        const [arch, subarch, release, purpose] = parts as [string, string, string, string];
        const result = await publisher.rollback({ arch, subarch, release, purpose }, version, values.host);
        out.write(values.json ? `${JSON.stringify(result)}\n` : `${where} → ${result.version}${result.previous && result.previous !== result.version ? ` (was ${result.previous}, kept for its grace period)` : ''}\n`);
        return 0;
      }
      default:
        throw new UsageError(verb === undefined ? `name what to do: ${commands.netboot.verbs.join(', ')}` : `unknown verb "${verb}" (${commands.netboot.verbs.join(', ')})`);
    }
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    if (values.json) out.write(`${JSON.stringify({ error: error.toWire() })}\n`);
    process.stderr.write(errorReport('slipway netboot', error));
    return 1;
  } finally {
    await backend.close();
  }
}
