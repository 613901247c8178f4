import { maxDocumentBytes } from '../../shared/contract/index.js';
import { readOperatorText } from '../lib/operator-file.js';
import { parseArgs } from 'node:util';
import { appPhases, SlipwayError, TraceStream, type AppNodeState, type AppRunDetail, type TraceLine } from '../../shared/contract/index.js';
import { parseEvent } from '../../shared/contract/validate.js';
import { createRealBackend } from '../app/real-backend.js';
import { UsageError } from './args.js';
import { commands } from './usage.js';
import { errorReport, problemsRefusal } from './errors.js';
import { paint, table, useColour } from './terminal-output.js';

const ended = (state: AppNodeState) => ['FINISHED', 'FAILED', 'STOPPED'].includes(state.status) || (state.status === 'NOT_STARTED' && state.error !== null);

function statusCell(state: AppNodeState, colour: boolean): string {
  const code = { FINISHED: state.exitCode === 0 ? 32 : 33, RUNNING: 36, BUILDING: 36, FAILED: 31, STOPPED: 33, NOT_STARTED: 2 }[state.status];
  return paint(colour, code, state.status);
}

function nodeRows(detail: AppRunDetail, colour: boolean): string[][] {
  return [
    ['NODE', 'STATUS', 'STEP', 'EXIT', 'BUILD', 'DETAIL'],
    ...detail.nodes.map((state) => {
      const step = appPhases.filter((phase) => state.phases[phase].status !== 'pending').at(-1) ?? '—';
      const build = state.builtBy === state.node ? 'built here' : state.receivedFrom ? `from ${state.receivedFrom}` : '—';
      const detailText = state.error ?? (state.stoppedWith ? `stopped with ${state.stoppedWith}` : (state.phases[step as (typeof appPhases)[number]]?.message ?? ''));
      return [state.node, statusCell(state, colour), state.failedStep ?? step, state.exitCode === null ? '—' : String(state.exitCode), build, detailText];
    }),
  ];
}

function printRun(detail: AppRunDetail, colour: boolean): void {
  const out = process.stdout;
  out.write(`${detail.summary.id}  ${detail.definition.name}  started ${detail.summary.startedAt}\n${table(nodeRows(detail, colour))}\n`);
  if (detail.buildTree.length > 0) {
    const senders = new Map<string, string[]>();
    for (const edge of detail.buildTree) senders.set(edge.from, [...(senders.get(edge.from) ?? []), edge.to]);
    out.write(`build tree: ${[...senders].map(([from, to]) => `${from} → ${to.join(', ')}`).join('; ')}\n`);
  }
  out.write(`results: ${detail.summary.resultsDir}\n`);
}

const traceLine = (line: TraceLine, colour: boolean) => `${paint(colour, 36, line.node)} ${line.stream === 'stdout' ? '' : `${paint(colour, line.stream === 'stderr' ? 31 : 2, line.stream)} `}${line.text}\n`;

/**
 * `slipway app deploy | status | stop | retry | traces | blacklist`: the
 * Applications view from a terminal. Exit 1 when a node failed.
 */
export async function runApp(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: commands.app.options,
    allowPositionals: true,
    strict: true,
  });
  const out = process.stdout;
  const colour = useColour(out);
  const nodes = values.nodes?.split(',').filter(Boolean);
  const stream = values.stream === undefined ? undefined : TraceStream.safeParse(values.stream);
  if (stream && !stream.success) throw new UsageError(`--stream: "${values.stream}" is not one of stdout, stderr, buildlog`);
  const backend = createRealBackend({ interactive: false });
  const { apps } = backend;
  // Only deploy, stop and retry change a run: status and traces look without taking it over.
  const writes = verb === 'deploy' || verb === 'stop' || verb === 'retry' || verb === 'blacklist';
  apps.load(false);
  const runId = () => {
    if (!positionals[0]) throw new UsageError(`app ${verb} needs a run id (see slipway app status)`);
    return positionals[0];
  };
  const waitFor = async (id: string, done: (state: AppNodeState) => boolean) => {
    const run = apps.run(id);
    while (!apps.get(id).nodes.every(done)) {
      await run.pollRunning();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  try {
    switch (verb) {
      case 'deploy': {
        if (positionals.length !== 1) throw new UsageError('app deploy takes one definition file: slipway app deploy APP.yaml');
        let shown = '';
        backend.bus.subscribe((envelope) => {
          const event = parseEvent(envelope);
          if (values.json) return void out.write(`${JSON.stringify({ topic: event.topic, payload: event.payload })}\n`);
          if (event.topic === 'apps.node') {
            const { state } = event.payload;
            const running = appPhases.find((phase) => state.phases[phase].status === 'running');
            const line = `${state.node}: ${state.status}${running ? ` (${running}${state.phases[running].message ? `: ${state.phases[running].message}` : ''})` : ''}${state.error ? ` — ${state.error}` : ''}`;
            if (line !== shown) out.write(`${line}\n`);
            shown = line;
          }
        });
        const text = await readOperatorText(positionals[0]!, { maxBytes: maxDocumentBytes });
        // Every problem of the definition at once, as for a build spec; --nodes replaces the definition's own choice of nodes.
        const problems = apps.validate(text).problems.filter((p) => !nodes || p.field !== 'nodes');
        if (problems.length > 0) {
          throw problemsRefusal(positionals[0]!, 'definition', problems);
        }
        const { id, done } = await apps.deploy(text, nodes);
        await done;
        if (values.wait) await waitFor(id, ended);
        const detail = apps.get(id);
        if (!values.json) printRun(detail, colour);
        return detail.nodes.some((s) => s.status === 'FAILED') ? 1 : 0;
      }
      case 'status': {
        if (!positionals[0]) {
          const runs = apps.runs();
          if (values.json) out.write(`${JSON.stringify(runs)}\n`);
          else out.write(runs.length === 0 ? 'no application runs yet\n' : `${table([['RUN', 'APP', 'STARTED', 'RUNNING', 'FINISHED', 'FAILED', 'STOPPED'], ...runs.map((r) => [r.id, r.app, r.startedAt, String(r.counts.RUNNING), String(r.counts.FINISHED), String(r.counts.FAILED), String(r.counts.STOPPED)])])}\n`);
          return 0;
        }
        await apps.run(runId()).pollRunning();
        const detail = apps.get(runId());
        if (values.json) out.write(`${JSON.stringify(detail)}\n`);
        else printRun(detail, colour);
        return detail.nodes.some((s) => s.status === 'FAILED') ? 1 : 0;
      }
      case 'stop': {
        const stopped = await apps.stop(runId(), nodes);
        const detail = apps.get(runId());
        if (values.json) out.write(`${JSON.stringify(detail)}\n`);
        else if (stopped.length === 0) out.write('nothing was running\n');
        else printRun(detail, colour);
        return 0;
      }
      case 'retry': {
        const { retrying, done } = apps.retryFailed(runId());
        if (retrying.length === 0) {
          out.write('no failed nodes to retry\n');
          return 0;
        }
        out.write(`retrying ${retrying.join(', ')}\n`);
        await done;
        const detail = apps.get(runId());
        if (!values.json) printRun(detail, colour);
        else out.write(`${JSON.stringify(detail)}\n`);
        return detail.nodes.some((s) => s.status === 'FAILED') ? 1 : 0;
      }
      case 'traces': {
        const id = runId();
        const filter = { ...(values.node ? { node: values.node } : {}), ...(stream?.success ? { stream: stream.data } : {}) };
        await apps.run(id).collect();
        let from = 0;
        const flush = () => {
          for (;;) {
            const page = apps.traces(id, filter, from, 5_000);
            for (const line of page.lines) out.write(values.json ? `${JSON.stringify(line)}\n` : traceLine(line, colour));
            from += page.lines.length;
            if (page.lines.length < 5_000) return;
          }
        };
        flush();
        if (values.follow) {
          let stop = false;
          process.once('SIGINT', () => (stop = true));
          while (!stop && apps.get(id).summary.active) {
            await apps.run(id).pollRunning();
            flush();
            await new Promise((resolve) => setTimeout(resolve, 1_000));
          }
          await apps.run(id).collect();
          flush();
        }
        return 0;
      }
      case 'blacklist': {
        if (values.remove) {
          const removed = apps.unblacklist(values.remove);
          out.write(removed ? `${values.remove} is off the blacklist\n` : `${values.remove} was not on the blacklist\n`);
          return removed ? 0 : 1;
        }
        const list = apps.blacklist();
        if (values.json) out.write(`${JSON.stringify(list)}\n`);
        else out.write(list.length === 0 ? 'the blacklist is empty\n' : `${table([['NODE', 'SINCE', 'RUN', 'REASON'], ...list.map((e) => [e.node, e.at, e.run ?? '—', e.reason])])}\n`);
        return 0;
      }
      default:
        throw new UsageError(verb === undefined ? `name what to do: ${commands.app.verbs.join(', ')}` : `unknown verb "${verb}" (${commands.app.verbs.join(', ')})`);
    }
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    process.stderr.write(errorReport('slipway app', error));
    return 1;
  } finally {
    apps.close({ save: writes });
    await backend.close();
  }
}
