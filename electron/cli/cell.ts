import { parseArgs } from 'node:util';
import { CellAppState, type CellApp, type CellSnapshot, type CellTraceEvent } from '../../shared/contract/cells.js';
import { CellReader } from '../cells/cell-reader.js';
import { addCell, cellsPath, readCells, resolveCell } from '../cells/cell-registry.js';
import { treadmillTime } from '../containers/trace-events.js';
import { UsageError } from './args.js';
import { table } from './terminal-output.js';
import { commands } from './usage.js';

/** Reads the cell once (its first full snapshot), or fails with why. The reader is closed whatever happens. */
async function withCell<T>(nameOrUrl: string, timeoutSeconds: number, use: (reader: CellReader, snapshot: CellSnapshot) => Promise<T>): Promise<T> {
  const { name, url } = resolveCell(nameOrUrl);
  const reader = new CellReader(name, url, { connectTimeoutMs: timeoutSeconds * 1000 });
  try {
    reader.start();
    const timeout = new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(new Error(`cell ${name}: no complete read within ${timeoutSeconds} s (${reader.connectionState().error ?? reader.connectionState().state})`)), timeoutSeconds * 1000);
      timer.unref();
    });
    const snapshot = await Promise.race([reader.ready(), timeout]);
    return await use(reader, snapshot);
  } finally {
    reader.close();
  }
}

/** As `treadmill show` counts them: one line of states at the top. */
function counts(apps: CellApp[]): string {
  const byState = new Map<string, number>();
  for (const app of apps) byState.set(app.state, (byState.get(app.state) ?? 0) + 1);
  return CellAppState.options.map((state) => `${state} ${byState.get(state) ?? 0}`).join(', ');
}

function exitText(app: CellApp): string {
  if (app.exit === null) return '';
  if (typeof app.exit === 'string') return app.exit;
  return app.exit.rc > 255 ? `signal ${app.exit.signal}` : `rc ${app.exit.rc}`;
}

function traceLine(event: CellTraceEvent): string {
  return `${treadmillTime(event.when)} - ${event.source}: ${event.instance} ${event.text}`;
}

/**
 * `slipway cell add|ls|show|trace`: Treadmill cells read from their ZooKeeper,
 * read-only, one session per command.
 */
export async function runCell(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: commands.cell.options, allowPositionals: true, strict: true });
  const [verb, ...operands] = positionals;
  const out = process.stdout;
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout: "${values.timeout}" is not a number of seconds`);
  switch (verb) {
    case 'add': {
      if (operands.length !== 2) throw new UsageError('cell add takes a name and a URL: slipway cell add NAME zookeeper://host:port/chroot');
      const entry = addCell(operands[0]!, operands[1]!);
      out.write(values.json ? `${JSON.stringify(entry)}\n` : `added cell ${entry.name} (${entry.url}) to ${cellsPath()}\n`);
      return 0;
    }
    case 'ls': {
      if (operands.length !== 0) throw new UsageError('cell ls takes no operands');
      const cells = readCells();
      if (values.json) out.write(`${JSON.stringify(cells)}\n`);
      else out.write(cells.length === 0 ? `no cells in ${cellsPath()}\n` : table([['NAME', 'URL'], ...cells.map((cell) => [cell.name, cell.url])]));
      return 0;
    }
    case 'show': {
      if (operands.length !== 1) throw new UsageError('cell show takes one cell: slipway cell show CELL');
      const state = values.state === undefined ? undefined : CellAppState.safeParse(values.state);
      if (state && !state.success) throw new UsageError(`--state: "${values.state}" is not one of ${CellAppState.options.join(', ')}`);
      return withCell(operands[0]!, timeout, async (_reader, snapshot) => {
        const apps = state ? snapshot.apps.filter((app) => app.state === state.data) : snapshot.apps;
        apps.sort((a, b) => (a.instance < b.instance ? -1 : 1));
        if (values.json) {
          out.write(`${JSON.stringify({ ...snapshot, apps })}\n`);
          return snapshot.problems.length ? 1 : 0;
        }
        out.write(`${snapshot.cell}: ${snapshot.servers.length} servers (${snapshot.servers.filter((s) => s.state === 'up').length} up), ${counts(snapshot.apps)}\n`);
        if (apps.length) out.write(table([['INSTANCE', 'STATE', 'SERVER', 'WHEN', 'EXIT'], ...apps.map((app) => [app.instance, app.state, app.server ?? '-', app.when === null ? '-' : treadmillTime(app.when), exitText(app)])]));
        for (const problem of snapshot.problems) process.stderr.write(`problem: ${problem.path}: ${problem.problem}\n`);
        return snapshot.problems.length ? 1 : 0;
      });
    }
    case 'trace': {
      if (operands.length !== 2) throw new UsageError('cell trace takes a cell and an instance: slipway cell trace CELL INSTANCE');
      const instance = operands[1]!;
      const print = (event: CellTraceEvent) => out.write(values.json ? `${JSON.stringify(event)}\n` : `${traceLine(event)}\n`);
      if (!values.follow) {
        return withCell(operands[0]!, timeout, async (reader) => {
          for (const event of reader.trace(instance)) print(event);
          return 0;
        });
      }
      // --follow: the events so far, then each new one as its delta arrives, until interrupted.
      const { name, url } = resolveCell(operands[0]!);
      // Events read before the snapshot are in reader.trace(); the deltas print only what comes after it.
      let ready = false;
      const reader = new CellReader(name, url, {
        connectTimeoutMs: timeout * 1000,
        onDelta: (delta) => {
          for (const event of delta.events) if (ready && event.instance === instance) print(event);
          if (delta.connection && delta.connection.state !== 'connected') process.stderr.write(`cell ${name}: ${delta.connection.state}${delta.connection.error ? `: ${delta.connection.error}` : ''}\n`);
        },
      });
      reader.start();
      await reader.ready();
      for (const event of reader.trace(instance)) print(event);
      ready = true;
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      reader.close();
      return 0;
    }
    default:
      throw new UsageError(verb === undefined ? 'name what to do: add, ls, show or trace' : `cell: unknown verb "${verb}"`);
  }
}
