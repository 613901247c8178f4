import type { NodeStatus } from '../../shared/contract/index.js';
import { createRealBackend } from '../app/real-backend.js';
import { paint, progressOn, table, useColour } from './terminal-output.js';
import { Refusal, UsageError } from './errors.js';
import { inventoryPath } from '../nodes/inventory-file.js';
import { commands } from './usage.js';
import { runNodeShell } from './nodes-shell.js';
import { parseArgs } from 'node:util';

/** An empty inventory is the first thing a new operator meets: say where nodes come from. */
const howToAdd = () =>
  `add nodes with \`slipway nodes import-ssh-config\` (the hosts of ~/.ssh/config), in the console's Nodes view, or by editing ${inventoryPath()}`;

/**
 * A whole number from 1 to `max`. The caps keep a typo from meaning "forever": a
 * timeout past 2^31 ms would even fire at once (Node clamps it to 1 ms).
 */
function count(text: string, flag: 'rounds' | 'timeout'): number {
  const max = flag === 'rounds' ? 10_000 : 86_400;
  if (!/^[1-9]\d*$/.test(text) || Number(text) > max) throw new UsageError(`--${flag}: "${text}" is not a whole number from 1 to ${max}`);
  return Number(text);
}

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

/** One node of a `status --rounds` JSON line: what the round read, and how. */
const roundResult = (s: NodeStatus) => ({
  name: s.spec.name,
  ok: s.state === 'reachable',
  state: s.state,
  latencyMs: s.latencyMs,
  via: s.probe?.via ?? null,
  ...(s.probe?.reason ? { reason: s.probe.reason } : {}),
  facts: s.facts,
  ...(s.state === 'reachable' ? {} : { error: s.errors[0]?.message ?? null }),
});

/** `slipway nodes ls | status | import-ssh-config`: exit 1 from status when a node is not reachable. */
export async function runNodes(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals, tokens } = parseArgs({
    args: rest,
    options: commands.nodes.options,
    allowPositionals: verb === 'exec' || verb === 'shell',
    strict: true,
    tokens: true,
  });
  const backend = createRealBackend({ interactive: false });
  const colour = useColour(process.stdout);
  try {
    switch (verb) {
      case 'ls': {
        const nodes = backend.nodes.list();
        if (nodes.length === 0 && !values.json) {
          process.stdout.write(`no nodes in the inventory yet: ${howToAdd()}\n`);
          return 0;
        }
        if (values.json) process.stdout.write(`${JSON.stringify(nodes.map((n) => n.spec), null, 2)}\n`);
        else process.stdout.write(`${table([['NAME', 'ADDRESS', 'LABELS'], ...nodes.map((n) => [n.spec.name, `${n.spec.user}@${n.spec.host}:${n.spec.port}`, n.spec.labels.join(',')])])}\n`);
        return 0;
      }
      case 'status': {
        const progress = progressOn(process.stderr);
        let done = 0;
        const total = backend.nodes.list().length;
        if (total === 0 && !values.json) {
          process.stdout.write(`no nodes in the inventory to poll: ${howToAdd()}\n`);
          return 0;
        }
        backend.bus.subscribe((event) => {
          if (event.topic === 'nodes.status' && (event.payload as NodeStatus).state !== 'unknown') progress.update(`polling nodes… ${++done}/${total}`);
        });
        // --rounds: polls again over the same connections (and SFTP sessions), timing each round.
        const given = (name: string) => tokens.some((t) => t.kind === 'option' && t.name === name);
        // --timeout: how long each node may take, connecting included (a cold poll of hundreds of nodes on a small host).
        const timeoutMs = given('timeout') ? count(values.timeout, 'timeout') * 1_000 : undefined;
        if (given('rounds')) {
          const rounds = count(values.rounds, 'rounds');
          let allOk = true;
          let last: NodeStatus[] = [];
          for (let round = 1; round <= rounds; round++) {
            done = 0;
            const started = performance.now();
            last = await backend.nodes.poll(undefined, timeoutMs);
            const seconds = (performance.now() - started) / 1_000;
            progress.done();
            allOk &&= last.every((s) => s.state === 'reachable');
            if (values.json) process.stdout.write(`${JSON.stringify({ round, seconds, results: last.map(roundResult) })}\n`);
            else process.stdout.write(`round ${round}: ${last.filter((s) => s.state === 'reachable').length}/${last.length} reachable in ${seconds.toFixed(3)} s\n`);
          }
          if (!values.json) process.stdout.write(`${table([['NAME', 'ADDRESS', 'STATE', 'RTT', 'LOAD', 'MEM', 'DISK', 'OS / LAST ERROR'], ...last.map((s) => row(s, colour))])}\n`);
          return allOk ? 0 : 1;
        }
        const statuses = await backend.nodes.poll(undefined, timeoutMs);
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
        // Zero nodes is not a success: a command that ran nowhere must not look like one that ran everywhere.
        const known = backend.nodes.list().map((n) => n.spec.name);
        if (known.length === 0) throw new Refusal([`no node matched: the inventory is empty; ${howToAdd()}`]);
        const unknown = (names ?? []).filter((name) => !known.includes(name));
        if (names?.length === 0) throw new Refusal([`no node matched --nodes "${values.nodes}": it names no node`]);
        if (names && unknown.length > 0) {
          const has = known.length > 8 ? `${known.slice(0, 8).join(', ')} and ${known.length - 8} more` : known.join(', ');
          throw new Refusal([`${unknown.length === names.length ? 'no node matched' : 'not every node matched'} --nodes ${values.nodes}: no node named ${unknown.join(', ')} in the inventory (it has ${has})`]);
        }
        const rounds = count(values.rounds, 'rounds');
        const timeout = count(values.timeout, 'timeout');
        let allOk = true;
        for (let round = 1; round <= rounds; round++) {
          const started = Date.now();
          const results = await backend.nodes.execAll(command, names, timeout * 1_000);
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
      case 'shell': {
        const [name, ...extra] = positionals;
        if (!name || extra.length > 0) throw new UsageError('nodes shell needs one node: slipway nodes shell NODE');
        return await runNodeShell(backend.nodes, name, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, signals: process });
      }
      default:
        throw new UsageError(verb === undefined ? `name what to do: ${commands.nodes.verbs.join(', ')}` : `unknown verb "${verb}" (${commands.nodes.verbs.join(', ')})`);
    }
  } finally {
    await backend.close();
  }
}
