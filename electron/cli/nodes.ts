import type { NodeStatus } from '../../shared/contract/index.js';
import { createRealBackend } from '../app/real-backend.js';
import { paint, progressOn, table, useColour } from './terminal-output.js';
import { UsageError } from './args.js';
import { parseArgs } from 'node:util';

const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '—');

function row(status: NodeStatus, colour: boolean): string[] {
  const { spec, facts } = status;
  const state = status.state === 'reachable' ? paint(colour, 32, status.state) : paint(colour, 31, status.state);
  return [
    spec.name,
    `${spec.user}@${spec.host}:${spec.port}`,
    state,
    status.latencyMs === null ? '—' : `${status.latencyMs} ms`,
    facts ? facts.load[0].toFixed(2) : '—',
    facts ? percent(facts.memTotalBytes - facts.memAvailableBytes, facts.memTotalBytes) : '—',
    facts ? percent(facts.rootDiskUsedBytes, facts.rootDiskTotalBytes) : '—',
    status.state === 'reachable' ? (facts?.osRelease ?? '') : (status.errors[0]?.message ?? ''),
  ];
}

/** `slipway nodes ls | status | import-ssh-config`: exit 1 from status when a node is not reachable. */
export async function runNodes(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      json: { type: 'boolean', default: false },
      path: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      nodes: { type: 'string' },
      rounds: { type: 'string', default: '1' },
      timeout: { type: 'string', default: '30' },
    },
    allowPositionals: verb === 'exec',
    strict: true,
  });
  const backend = createRealBackend({ interactive: false });
  const colour = useColour(process.stdout);
  try {
    switch (verb) {
      case 'ls': {
        const nodes = backend.nodes.list();
        if (values.json) process.stdout.write(`${JSON.stringify(nodes.map((n) => n.spec), null, 2)}\n`);
        else process.stdout.write(`${table([['NAME', 'ADDRESS', 'LABELS'], ...nodes.map((n) => [n.spec.name, `${n.spec.user}@${n.spec.host}:${n.spec.port}`, n.spec.labels.join(',')])])}\n`);
        return 0;
      }
      case 'status': {
        const progress = progressOn(process.stderr);
        let done = 0;
        const total = backend.nodes.list().length;
        backend.bus.subscribe((event) => {
          if (event.topic === 'nodes.status' && (event.payload as NodeStatus).state !== 'unknown') progress.update(`polling nodes… ${++done}/${total}`);
        });
        const statuses = await backend.nodes.poll();
        progress.done();
        if (values.json) process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
        else process.stdout.write(`${table([['NAME', 'ADDRESS', 'STATE', 'RTT', 'LOAD', 'MEM', 'DISK', 'OS / LAST ERROR'], ...statuses.map((s) => row(s, colour))])}\n`);
        return statuses.every((s) => s.state === 'reachable') ? 0 : 1;
      }
      case 'import-ssh-config': {
        const result = await backend.nodes.importSshConfig(values.path, !values['dry-run']);
        if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          process.stdout.write(`${result.path}: ${result.nodes.length} host(s)\n`);
          for (const node of result.nodes) {
            const what = result.existing.includes(node.name) ? 'already in the inventory' : values['dry-run'] ? 'would be added' : 'added';
            process.stdout.write(`  ${node.name}  ${node.user}@${node.host}:${node.port}  ${what}\n`);
          }
          for (const skip of result.skipped) process.stdout.write(`  ${skip.host}  skipped: ${skip.reason}\n`);
        }
        return 0;
      }
      case 'exec': {
        const command = positionals.join(' ');
        if (!command) throw new UsageError('nodes exec needs a command: slipway nodes exec [--nodes a,b] -- COMMAND');
        const names = values.nodes?.split(',').filter(Boolean);
        const rounds = Math.max(1, Number(values.rounds));
        let allOk = true;
        for (let round = 1; round <= rounds; round++) {
          const started = Date.now();
          const results = await backend.nodes.execAll(command, names, Number(values.timeout) * 1_000);
          const seconds = (Date.now() - started) / 1_000;
          allOk &&= results.every((r) => r.ok);
          if (values.json) process.stdout.write(`${JSON.stringify({ round, seconds, results })}
`);
          else {
            for (const r of results) {
              const head = `${r.node}: ${r.ok ? 'ok' : r.error ?? `exit ${r.code}`}`;
              process.stdout.write(`${head}\n${r.stdout ? r.stdout.replace(/^/gm, '  ').trimEnd() + '\n' : ''}${r.stderr ? r.stderr.replace(/^/gm, '  ! ').trimEnd() + '\n' : ''}`);
            }
            process.stdout.write(`round ${round}: ${results.filter((r) => r.ok).length}/${results.length} ok in ${seconds.toFixed(2)} s\n`);
          }
        }
        return allOk ? 0 : 1;
      }
      default:
        throw new UsageError(`nodes: unknown verb "${verb ?? ''}" (ls, status, exec, import-ssh-config)`);
    }
  } finally {
    await backend.close();
  }
}
