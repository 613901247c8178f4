import { parseArgs } from 'node:util';
import { BootRequest, SlipwayError, type BootSummary } from '../../shared/contract/index.js';
import { parseEvent } from '../../shared/contract/validate.js';
import { createRealBackend } from '../app/real-backend.js';
import { UsageError } from './args.js';
import { commands } from './usage.js';
import { errorReport } from './errors.js';
import { paint, useColour } from './terminal-output.js';
import { jsonEvent } from './json-event.js';
import { fromLogBatch } from '../../shared/contract/log-batch.js';

const seconds = (ms: number | null) => `${((ms ?? 0) / 1000).toFixed(1)}s`;

/**
 * `slipway boot BUILD`: the build's image booted in QEMU with its own kernel,
 * the serial console as it comes, until the marker (`login:` by default).
 * Exit 0 booted, 1 not booted, 130 cancelled, 2 usage.
 */
export async function runBoot(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: commands.boot.options,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('boot takes one build id');
  const number = (text: string | undefined, flag: string) => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new UsageError(`--${flag}: "${text}" is not a whole number`);
    return Number(text);
  };
  const request = BootRequest.safeParse({
    buildId: positionals[0],
    ...(values.image ? { image: values.image } : {}),
    ...(values.marker !== undefined ? { marker: values.marker } : {}),
    ...(values.timeout !== undefined ? { timeoutSeconds: number(values.timeout, 'timeout') } : {}),
    ...(values.memory !== undefined ? { memoryMiB: number(values.memory, 'memory') } : {}),
    ...(values.append !== undefined ? { extraArgs: values.append } : {}),
  });
  if (!request.success) {
    const issue = request.error.issues[0]!;
    const flag = { marker: 'marker', timeoutSeconds: 'timeout', memoryMiB: 'memory', extraArgs: 'append', image: 'image', buildId: 'build' }[String(issue.path[0])] ?? String(issue.path[0]);
    throw new UsageError(`--${flag}: ${issue.message}`);
  }
  const out = process.stdout;
  const colour = useColour(out);
  const backend = createRealBackend({ interactive: false });
  try {
    await backend.builds.recover();
    backend.bus.subscribe((envelope) => {
      const event = parseEvent(envelope);
      if (!event.topic.startsWith('boot.')) return;
      if (values.json) return void out.write(`${jsonEvent(event)}\n`);
      if (event.topic === 'boot.step') {
        const { step } = event.payload;
        if (step.status === 'running' && step.message === null) out.write(`${step.label} …\n`);
        const state = step.status === 'done' ? paint(colour, 32, 'done') : step.status === 'failed' ? paint(colour, 31, 'FAILED') : step.status === 'cancelled' ? 'cancelled' : null;
        if (state) out.write(`${step.label}: ${state} ${seconds(step.durationMs)}${step.message ? `  ${step.message}` : ''}\n`);
      }
      if (event.topic === 'boot.log' && !values.quiet) for (const line of fromLogBatch(event.payload)) if (line.step === 'boot') out.write(`  ${line.stream === 'err' ? 'qemu: ' : ''}${line.text}\n`);
    });
    const started = backend.boots.start(request.data);
    let interrupted = false;
    const onInterrupt = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write('\ncancelling: QEMU is stopped, the working copy removed…\n');
      backend.boots.cancel(started.id);
    };
    process.on('SIGINT', onInterrupt).on('SIGTERM', onInterrupt);
    const summary: BootSummary = await started.done;
    process.off('SIGINT', onInterrupt).off('SIGTERM', onInterrupt);
    if (!values.json) {
      if (summary.status === 'succeeded') out.write(`\n${paint(colour, 32, 'booted')}: reached "${summary.marker}" in ${seconds(summary.bootMs)} (${summary.accel.toUpperCase()}; boot test ${summary.id})\n`);
      else out.write(`\n${paint(colour, 31, summary.status === 'cancelled' ? 'cancelled' : 'not booted')}: ${summary.error}\n`);
    }
    return summary.status === 'succeeded' ? 0 : summary.status === 'cancelled' ? 130 : 1;
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    if (values.json) out.write(`${JSON.stringify({ error: error.toWire() })}\n`);
    process.stderr.write(errorReport('slipway boot', error));
    return 1;
  } finally {
    await backend.close();
  }
}
