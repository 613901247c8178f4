import { maxDocumentBytes } from '../../shared/contract/index.js';
import { readOperatorText } from '../lib/operator-file.js';
import { buildSteps, type BuildSummary, type LogLine, type StepState } from '../../shared/contract/index.js';
import { parseEvent } from '../../shared/contract/validate.js';
import { createBuildBackend } from '../app/build-backend.js';
import { paint, progressOn, useColour } from './terminal-output.js';
import { problemsRefusal, UsageError } from './errors.js';
import { jsonEvent } from './json-event.js';
import { fromLogBatch } from '../../shared/contract/log-batch.js';
import { onOutputClosed } from './output-closed.js';

export interface BuildArgs {
  spec: string | null;
  json: boolean;
  cleanup: boolean;
  verbose: boolean;
  /** A build host (inventory node); null: this machine. */
  host: string | null;
}

const stepNumber = (id: string) => `[${String(buildSteps.findIndex((s) => s.id === id) + 1).padStart(2)}/${buildSteps.length}]`;
const seconds = (ms: number | null) => `${((ms ?? 0) / 1000).toFixed(1)}s`;

export function formatSize(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** `slipway build SPEC.yaml`: the same pipeline as the console, from a terminal; Ctrl-C cancels cleanly. */
export async function runBuild(args: BuildArgs): Promise<number> {
  // Only the builds: a cache hit is mostly start-up, so nothing else is loaded or created. A build host needs
  // the node inventory and SSH: the console's backend, loaded only then.
  const backend = args.host === null ? createBuildBackend() : (await import('../app/real-backend.js')).createRealBackend({ interactive: false });
  const { builds } = backend;
  const stdout = process.stdout;
  const colour = useColour(stdout);
  // Once the reader has gone (`| head`), nothing more is written: the build is being cancelled.
  let readerGone = false;
  const out = { write: (text: string) => void (readerGone || stdout.write(text)), isTTY: stdout.isTTY };
  try {
    // The spec is read and checked before recovery may start the privileged helper: a typo costs nothing.
    const specText = args.cleanup || !args.spec ? null : await readOperatorText(args.spec, { maxBytes: maxDocumentBytes });
    // Every problem at once, as the console's spec editor lists them: one run of the CLI to fix them all.
    const problems = specText === null ? [] : builds.validate(specText).problems;
    if (problems.length > 0) {
      if (args.json) out.write(`${JSON.stringify({ error: { code: 'bad_request', message: `${args.spec}: invalid spec`, problems } })}\n`);
      throw problemsRefusal(args.spec!, 'spec', problems);
    }
    const cleaned = await builds.recover();
    for (const line of cleaned) process.stderr.write(`recovered after an earlier crash: ${line}\n`);
    if (args.cleanup) {
      if (!args.json && cleaned.length === 0) out.write('nothing to clean: no build was left behind\n');
      if (args.json) out.write(`${JSON.stringify({ topic: 'builds.recovered', payload: { cleaned } })}\n`);
      return 0;
    }
    if (specText === null) throw new UsageError('build needs a spec file: slipway build SPEC.yaml');

    const progress = progressOn(stdout);
    const lastLines: LogLine[] = [];
    const running = new Map<string, StepState>();
    backend.bus.subscribe((envelope) => {
      const event = parseEvent(envelope);
      if (args.json) {
        out.write(`${jsonEvent(event)}\n`);
        return;
      }
      if (event.topic === 'builds.step') {
        const { step } = event.payload;
        if (step.status === 'running') {
          // A running step is published again as it progresses; a pipe gets its line once.
          if (!out.isTTY && !running.has(step.id)) out.write(`${stepNumber(step.id)} ${step.label} …\n`);
          running.set(step.id, step);
          return;
        }
        running.delete(step.id);
        progress.done();
        if (step.status === 'skipped' && step.message !== 'cache hit') return;
        const state = step.status === 'done' ? paint(colour, 32, 'done') : step.status === 'failed' ? paint(colour, 31, 'FAILED') : step.status;
        out.write(`${stepNumber(step.id)} ${step.label}: ${state} ${seconds(step.durationMs)}${step.message ? `  ${step.message}` : ''}\n`);
      }
      if (event.topic === 'builds.log') {
        const lines = fromLogBatch(event.payload);
        lastLines.push(...lines);
        lastLines.splice(0, Math.max(0, lastLines.length - 20));
        const [current] = running.values();
        const last = lines.at(-1);
        if (args.verbose) for (const line of lines) out.write(`    ${line.text}\n`);
        else if (current && last) progress.update(`${stepNumber(current.id)} ${current.label} ${seconds(Date.now() - Date.parse(current.startedAt ?? ''))}  ${last.text}`);
      }
    });

    const { id, done } = builds.start(specText, args.host === null ? {} : { host: args.host });
    let interrupted = false;
    const onInterrupt = () => {
      if (interrupted) {
        process.stderr.write('second interrupt: leaving now; `slipway build --cleanup` releases what is left\n');
        process.exit(130);
      }
      interrupted = true;
      progress.done();
      process.stderr.write('\ncancelling: the running step is stopped and everything it acquired is released…\n');
      builds.cancel(id);
    };
    process.on('SIGINT', onInterrupt).on('SIGTERM', onInterrupt);
    const releaseOutput = onOutputClosed(() => {
      readerGone = true;
      process.stderr.write('output closed: cancelling the build; everything it acquired is released…\n');
      builds.cancel(id);
    });
    const summary: BuildSummary = await done;
    process.off('SIGINT', onInterrupt).off('SIGTERM', onInterrupt);
    releaseOutput();
    if (!args.json) printSummary(out, summary, lastLines, colour);
    return summary.status === 'succeeded' ? 0 : summary.status === 'cancelled' ? 130 : 1;
  } finally {
    await backend.close();
  }
}

function printSummary(out: { write(text: string): void }, summary: BuildSummary, lastLines: readonly LogLine[], colour: boolean): void {
  if (summary.status === 'succeeded') {
    out.write(`\n${paint(colour, 32, summary.cacheHit ? 'cache hit' : 'built')} ${summary.name} in ${seconds(summary.durationMs)} (build ${summary.id})\n`);
    for (const a of summary.artifacts) {
      out.write(`  ${a.path}\n    raw ${formatSize(a.rawSize)} sha256 ${a.rawSha256}\n    ${a.container} ${formatSize(a.containerSize)} sha256 ${a.containerSha256} md5 ${a.containerMd5}\n`);
    }
    out.write(`  metadata ${summary.metadataPath}\n`);
    return;
  }
  out.write(`\n${paint(colour, 31, summary.status)} at ${summary.failedStep}: ${summary.error}\n`);
  if (summary.status === 'failed' && lastLines.length > 0) {
    out.write('last log lines:\n');
    for (const line of lastLines) out.write(`  ${line.text}\n`);
  }
}
