import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DeployRequest, parseDeployTarget, SlipwayError, type DeployStep, type DeploySummary } from '../../shared/contract/index.js';
import { parseEvent } from '../../shared/contract/validate.js';
import { createRealBackend } from '../app/real-backend.js';
import { UsageError } from './args.js';
import { commands } from './usage.js';
import { formatSize } from './build.js';
import { paint, progressOn, table, useColour } from './terminal-output.js';
import { jsonEvent } from './json-event.js';
import { fromLogBatch } from '../../shared/contract/log-batch.js';

const seconds = (ms: number | null) => `${((ms ?? 0) / 1000).toFixed(1)}s`;

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * `slipway deploy IMAGE --extension X … --target T`: the console's overlay
 * deploy from a terminal; Ctrl-C cancels and releases everything. Exit 0
 * deployed, 1 failed, 130 cancelled, 2 usage.
 */
export async function runDeploy(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: commands.deploy.options,
    allowPositionals: true,
    strict: true,
  });
  const out = process.stdout;
  const colour = useColour(out);
  const backend = createRealBackend({ interactive: false });
  const { deploys } = backend;
  try {
    if (positionals[0] === 'extensions' || positionals[0] === 'ls') {
      const catalog = deploys.catalog();
      const rows = positionals[0] === 'extensions' ? catalog.extensions.map((e) => [e.name, e.path, e.description]) : deploys.list().map((d) => [d.id, d.status, d.image, d.target, d.startedAt]);
      if (values.json) out.write(`${JSON.stringify(positionals[0] === 'extensions' ? catalog : deploys.list())}\n`);
      else if (rows.length === 0) out.write(positionals[0] === 'extensions' ? `no extensions in ${catalog.extensionDirs.join(', ')}\n` : 'no deploys yet\n');
      else out.write(`${table(positionals[0] === 'extensions' ? [['NAME', 'PATH', 'DESCRIPTION'], ...rows] : [['ID', 'STATUS', 'IMAGE', 'TARGET', 'STARTED'], ...rows])}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('deploy takes one image: a build id, BUILD:IMAGE, or an image file');
    if (!values.target) throw new UsageError('deploy needs --target tar:FILE, rawdisk:FILE or ssh-rsync:NODE:PATH');
    const parsed = parseDeployTarget(values.target);
    if (!parsed.ok) throw new UsageError(`--target: ${parsed.message}`);
    const target = parsed.target.kind === 'ssh-rsync' ? parsed.target : { ...parsed.target, path: resolve(parsed.target.path) };
    const known = deploys.catalog().extensions;
    // A bare name is looked up in the extension directories; anything with a slash is a path.
    const extensions = values.extension.map((name) => (name.includes('/') ? resolve(name) : (known.find((e) => e.name === name)?.path ?? name)));
    const unknown = extensions.find((path) => !path.startsWith('/'));
    if (unknown) throw new UsageError(`--extension ${unknown}: no such extension in ${deploys.catalog().extensionDirs.join(', ')} (give a path, or see slipway deploy extensions)`);
    const env = Object.fromEntries(
      values.env.map((pair) => {
        const at = pair.indexOf('=');
        if (at <= 0) throw new UsageError(`--env ${pair}: must be NAME=value`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    );
    const image = positionals[0]!.includes('/') ? resolve(positionals[0]!) : positionals[0]!;
    const request = DeployRequest.safeParse({ image, extensions, env, secrets: values.secret, target, overwrite: values.force });
    if (!request.success) throw new UsageError(`${request.error.issues[0]!.path.join('.')}: ${request.error.issues[0]!.message}`);

    await backend.builds.recover();
    const progress = progressOn(out);
    const running = new Map<string, DeployStep>();
    const labels = new Map<string, string>();
    backend.bus.subscribe((envelope) => {
      const event = parseEvent(envelope);
      if (!event.topic.startsWith('deploy.')) return;
      if (values.json) return void out.write(`${jsonEvent(event)}\n`);
      if (event.topic === 'deploy.step') {
        const { step } = event.payload;
        labels.set(step.id, step.label);
        if (step.status === 'running') {
          running.set(step.id, step);
          if (!out.isTTY) out.write(`${step.label} …\n`);
          return;
        }
        running.delete(step.id);
        progress.done();
        if (step.status === 'skipped') return;
        const state = step.status === 'done' ? paint(colour, 32, 'done') : step.status === 'failed' ? paint(colour, 31, 'FAILED') : step.status;
        out.write(`${step.label}: ${state} ${seconds(step.durationMs)}${step.message ? `  ${step.message}` : ''}\n`);
      }
      if (event.topic === 'deploy.log') {
        const [current] = running.values();
        const lines = fromLogBatch(event.payload);
        for (const line of lines) {
          // Extension output is what the operator wrote: shown as it comes, like Baserock's deploy.
          if (values.verbose || line.step?.startsWith('extension-') || line.stream === 'err') out.write(`    ${line.text}\n`);
        }
        const last = lines.at(-1);
        if (current && last && !values.verbose) progress.update(`${current.label} ${seconds(Date.now() - Date.parse(current.startedAt ?? ''))}  ${last.text}`);
      }
    });

    let started: Awaited<ReturnType<typeof deploys.start>>;
    try {
      started = await deploys.start(request.data);
    } catch (error) {
      if (!(error instanceof SlipwayError) || error.field !== 'overwrite' || values.json || !(await confirm(`${error.message}. Replace it?`))) throw error;
      started = await deploys.start({ ...request.data, overwrite: true });
    }
    let interrupted = false;
    const onInterrupt = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      progress.done();
      process.stderr.write('\ncancelling: the running step is stopped, then everything is unmounted and removed…\n');
      deploys.cancel(started.id);
    };
    process.on('SIGINT', onInterrupt).on('SIGTERM', onInterrupt);
    const summary: DeploySummary = await started.done;
    process.off('SIGINT', onInterrupt).off('SIGTERM', onInterrupt);
    if (!values.json) {
      if (summary.status === 'succeeded') out.write(`\n${paint(colour, 32, 'deployed')} ${summary.image} → ${summary.output?.location} (${formatSize(summary.output?.bytes ?? 0)}) in ${seconds(summary.durationMs)} (deploy ${summary.id})\n${summary.output?.sha256 ? `  sha256 ${summary.output.sha256}\n` : ''}`);
      else out.write(`\n${paint(colour, 31, summary.status)} at ${labels.get(summary.failedStep ?? '') ?? summary.failedStep}: ${summary.error}\n`);
    }
    return summary.status === 'succeeded' ? 0 : summary.status === 'cancelled' ? 130 : 1;
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    if (values.json) out.write(`${JSON.stringify({ error: error.toWire() })}\n`);
    const hint = error.field === 'overwrite' ? ' (pass --force to replace it)' : '';
    process.stderr.write(`slipway deploy: ${error.field && error.field !== 'overwrite' ? `${error.field}: ` : ''}${error.message}${hint}\n`);
    return 1;
  } finally {
    await backend.close();
  }
}
