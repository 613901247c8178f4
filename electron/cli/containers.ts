import { maxDocumentBytes } from '../../shared/contract/index.js';
import { readOperatorText } from '../lib/operator-file.js';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ContainerState, type ContainerDelta, type ContainerScan } from '../../shared/contract/containers.js';
import { createClientContext } from '../backend/client-context.js';
import type { ContainerService } from '../containers/container-service.js';
import { SlipwayError } from '../../shared/contract/index.js';
import { createRealBackend } from '../app/real-backend.js';
import { UsageError } from './args.js';
import { commands } from './usage.js';
import { paint, table, useColour } from './terminal-output.js';
import { treadmillTime } from '../containers/trace-events.js';
import { parseInstance, parseUnique } from '../../shared/contract/instance-name.js';
import { runPtyShell } from './nodes-shell.js';

function age(changedAt: string, now = Date.now()): string {
  const seconds = Math.max(0, (now - Date.parse(changedAt)) / 1000);
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 129_600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

const stateColour: Record<string, number> = { placed: 36, configured: 36, running: 32, exited: 33, finished: 33, killed: 31, aborted: 31, terminated: 2, cleanup: 2, archived: 2 };

/**
 * `ls --changes`: the CLI subscribes as a console does and prints each delta
 * as it comes (the snapshot first), until `seconds` have passed.
 */
async function followChanges(containers: ContainerService, nodes: string[] | undefined, seconds: number, print: (line: string) => void, json: boolean): Promise<number> {
  let failed = false;
  const client = createClientContext('cli', (topic, payload) => {
    if (topic !== 'containers.delta') return;
    const delta = payload as ContainerDelta;
    if (json) return print(JSON.stringify(delta));
    const scan = 'snapshot' in delta ? delta.snapshot : delta.scan;
    failed ||= scan.error !== null;
    const bytes = scan.bytes === undefined ? '' : `, ${scan.bytes} bytes from the node`;
    if (scan.error) return print(`${delta.node} #${delta.seq}: ${scan.error}`);
    if ('snapshot' in delta) return print(`${delta.node} #${delta.seq}: snapshot, ${delta.snapshot.rows.length} containers, scanned in ${scan.ms} ms${bytes}`);
    print(`${delta.node} #${delta.seq}: +${delta.added.length} ~${delta.changed.length} -${delta.removed.length} in ${scan.ms} ms${bytes}`);
    for (const row of delta.added) print(`  + ${row.instance} ${row.state}`);
    for (const row of delta.changed) print(`  ~ ${row.instance} ${row.state} ${row.summary}`);
    for (const key of delta.removed) print(`  - ${key.instance}`);
  });
  containers.subscribe(client, nodes);
  containers.start();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  client.end();
  containers.close();
  return failed ? 1 : 0;
}

/**
 * `slipway containers ls | trace`: Treadmill node roots read over SSH (one
 * command per node) or, with --root, a directory on this host; configure and
 * the actions, and `shell` (a root shell inside a running container).
 */
export async function runContainers(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: commands.containers.options,
    allowPositionals: true,
    strict: true,
  });
  const state = values.state === undefined ? null : ContainerState.safeParse(values.state);
  if (state && !state.success) throw new UsageError(`--state: "${values.state}" is not one of ${ContainerState.options.join(', ')}`);
  if (values.root && values.node) throw new UsageError('give --node or --root, not both');
  const out = process.stdout;
  const colour = useColour(out);
  const backend = createRealBackend({ interactive: false });
  const scanAll = async (): Promise<ContainerScan[]> =>
    values.root ? [await backend.containers.scanLocal(resolve(values.root))] : backend.containers.list(values.node ? values.node.split(',') : undefined);
  try {
    switch (verb) {
      case 'ls': {
        if (values.changes) {
          if (values.root) throw new UsageError('--changes follows nodes over SSH: not with --root');
          const wait = Number(values.wait);
          if (!Number.isFinite(wait) || wait <= 0) throw new UsageError(`--wait: "${values.wait}" is not a number of seconds`);
          return await followChanges(backend.containers, values.node ? values.node.split(',') : undefined, wait, (line) => out.write(`${line}\n`), values.json);
        }
        const rounds = Number(values.rounds);
        if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`--rounds: "${values.rounds}" is not a count`);
        // Extra rounds scan again in full over the same pooled connections: connecting is paid once, as in the console.
        for (let round = 1; round < rounds; round++) {
          const scans = values.root ? [await backend.containers.scanLocal(resolve(values.root))] : await backend.containers.list(values.node ? values.node.split(',') : undefined, { fresh: true });
          if (values.json) out.write(`${JSON.stringify({ round, ms: scans.map((s) => s.ms), rows: scans.map((s) => s.rows.length) })}\n`);
          else out.write(`round ${round}: ${scans.map((s) => `${s.node} ${s.rows.length} containers in ${s.ms} ms`).join(', ')}\n`);
        }
        const scans = values.root ? await scanAll() : await backend.containers.list(values.node ? values.node.split(',') : undefined, { fresh: true });
        const rows = scans.flatMap((scan) => scan.rows).filter((row) => !state?.success || row.state === state.data);
        if (values.json) out.write(`${JSON.stringify(values.state ? scans.map((scan) => ({ ...scan, rows: scan.rows.filter((r) => r.state === values.state) })) : scans)}\n`);
        else {
          const now = Date.now();
          out.write(`${table([
            ['NODE', 'INSTANCE', 'STATE', 'EXIT', 'MEMORY', 'CPU', 'AGE'],
            ...rows.map((r) => [r.node, r.instance, paint(colour, stateColour[r.state] ?? 0, r.state + (r.cleanupPending && r.state !== 'cleanup' ? ' (cleanup)' : '')), r.state === 'placed' || r.state === 'configured' || (r.state === 'running' && r.summary === 'running') ? '' : r.summary, r.memory ?? '—', r.cpu ?? '—', age(r.changedAt, now)]),
          ])}\n`);
          for (const scan of scans) {
            out.write(`${scan.node} (${scan.root}): ${scan.error ? paint(colour, 31, scan.error) : `${scan.rows.length} containers in ${scan.ms} ms`}\n`);
            for (const problem of scan.problems) out.write(`  ${paint(colour, 33, 'problem')} ${problem}\n`);
          }
        }
        return scans.some((scan) => scan.error) ? 1 : 0;
      }
      case 'trace': {
        const instance = positionals[0];
        if (!instance) throw new UsageError('containers trace needs an instance: proid.app#0000000001');
        const scans = await scanAll();
        const events = scans.flatMap((scan) => backend.containers.trace(scan.node, instance));
        if (values.json) out.write(`${JSON.stringify(events)}\n`);
        else if (events.length === 0) out.write(`no events for ${instance}\n`);
        // As `treadmill trace` prints them: utils.strftime_utc, then trace/app/printer.py's words.
        else for (const event of events) out.write(`${treadmillTime(Date.parse(event.at) / 1000)} - ${event.trace}\n`);
        return events.length > 0 ? 0 : 1;
      }
      case 'configure': {
        const [node, file] = positionals;
        if (!node || !file) throw new UsageError('containers configure NODE MANIFEST.yaml');
        const made = await backend.containers.configure(node, await readOperatorText(file, { maxBytes: maxDocumentBytes }));
        out.write(values.json ? `${JSON.stringify(made)}\n` : `configured ${made.instance} on ${node} (${made.unique}); start it with: slipway containers start ${node} '${made.instance}'\n`);
        return 0;
      }
      case 'start':
      case 'stop':
      case 'terminate':
      case 'remove': {
        const [node, instance] = positionals;
        if (!node || !instance) throw new UsageError(`containers ${verb} NODE INSTANCE`);
        const { done } = await backend.containers.act(node, instance, verb);
        out.write(values.json ? `${JSON.stringify({ node, instance, done })}\n` : `${instance} on ${node}: ${done}\n`);
        return 0;
      }
      case 'shell': {
        const [node, instance, ...extra] = positionals;
        if (!node || !instance || extra.length > 0) throw new UsageError('containers shell needs a node and a container: slipway containers shell NODE INSTANCE');
        if (!parseInstance(instance) && !parseUnique(instance)) throw new UsageError(`"${instance}" is not a container: an instance (proid.app#0000000001) or its unique name`);
        return await runPtyShell(`${instance}@${node}`, (size) => backend.containers.openShell(node, instance, size), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, signals: process });
      }
      default:
        throw new UsageError(verb === undefined ? `name what to do: ${commands.containers.verbs.join(', ')}` : `unknown verb "${verb}" (${commands.containers.verbs.join(', ')})`);
    }
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    process.stderr.write(`slipway containers: ${error.message}\n`);
    return 1;
  } finally {
    await backend.close();
  }
}
