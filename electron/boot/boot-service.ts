import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BootDetail, BootLogLine, plannedBootSteps, SlipwayError, startingBootSummary, type BootRequest, type BootStep, type BootSummary, type BuildSummary } from '../../shared/contract/index.js';
import type { EventBus } from '../backend/event-bus.js';
import { isGzip, unpackGzip } from '../helper/system/artifact-pack.js';
import { JobHistory } from '../jobs/job-history.js';
import { JobLog } from '../jobs/job-log.js';
import { JobRegistry, type LiveJob } from '../jobs/job-registry.js';
import { Cancelled, runSteps, updateStep } from '../jobs/step-loop.js';
import type { Runner } from '../process/runner.js';
import { bootInQemu, type BootWatch } from './qemu-boot.js';
import { accelerator, qemuArgs } from './qemu-command.js';
import { stageWords } from './serial-stages.js';
import { toLogBatch } from '../../shared/contract/log-batch.js';

/** A build's kernel and initrd, taken out of its image (the publisher's, cached by the image's checksum). */
export type KernelOf = (buildId: string, image: string | undefined) => Promise<{ kernel: string; initrd: string; kernelName: string }>;

export interface BootServiceDeps {
  bus: EventBus;
  run: Runner;
  stateDir: string;
  builds: () => BuildSummary[];
  kernelOf: KernelOf;
  /** The QEMU binary and a prefix to run it under (tests: a network namespace). */
  qemu?: BootWatch['command'];
  accel?: () => 'kvm' | 'tcg';
}

interface Live extends LiveJob<BootDetail, string> {
  run: { steps: BootStep[] };
  abort: AbortController;
}

const history = (stateDir: string) =>
  new JobHistory<BootDetail, BootLogLine>(stateDir, {
    kind: 'boots',
    id: (detail) => detail.summary.id,
    startedAt: (detail) => detail.summary.startedAt,
    parseDetail: (raw) => BootDetail.parse(raw),
    parseLine: (raw) => BootLogLine.parse(raw),
  });

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    return head;
  } finally {
    closeSync(fd);
  }
}

/**
 * A QEMU left running by a boot test whose Slipway died (a crash, a kill):
 * its job is recorded as interrupted by now, and its pidfile is still in the
 * job's working directory. Killed only if the pid is still that QEMU (its
 * command line names the pidfile); the directory goes with it. Jobs still
 * running (a CLI beside the console) are left alone.
 */
function stopOrphans(dir: string, stillRunning: (id: string) => boolean): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.work'));
  } catch {
    return;
  }
  for (const name of names) {
    if (stillRunning(name.slice(0, -'.work'.length))) continue;
    const pidfile = join(dir, name, 'qemu.pid');
    try {
      const pid = Number(readFileSync(pidfile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 1 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(pidfile)) process.kill(pid, 'SIGKILL');
    } catch {
      // no pidfile, or that QEMU is gone
    }
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Boot tests, Slipway's `mkosi qemu`: a built image booted with its own
 * kernel and initrd (direct kernel boot), the image as the root disk (QEMU
 * writes to a temporary overlay, never the file), its serial console as the
 * job's log, until the marker shows. KVM where /dev/kvm opens, TCG otherwise.
 */
export function createBootService(deps: BootServiceDeps) {
  const jobs = new JobRegistry<BootDetail, string, Live>(history(deps.stateDir), 'boot test');
  stopOrphans(join(deps.stateDir, 'boots'), (id) => {
    try {
      return jobs.find(id).detail.summary.status === 'running';
    } catch {
      return false;
    }
  });

  function resolve(request: BootRequest) {
    const build = deps.builds().find((b) => b.id === request.buildId);
    if (!build) throw new SlipwayError('bad_request', `no build ${request.buildId}`, 'buildId');
    if (build.status !== 'succeeded') throw new SlipwayError('bad_request', `build ${build.id} did not succeed (${build.status}): nothing to boot`, 'buildId');
    const artifact = request.image ? build.artifacts.find((a) => a.image === request.image) : build.artifacts[0];
    if (!artifact) throw new SlipwayError('bad_request', `build ${build.id} has no image ${request.image ?? ''}`, 'image');
    if (!existsSync(artifact.path)) throw new SlipwayError('bad_request', `build ${build.id}'s image ${artifact.path} is gone`, 'image');
    return { build, artifact };
  }

  async function execute(entry: Live, request: BootRequest, artifactPath: string, accel: 'kvm' | 'tcg'): Promise<BootSummary> {
    const { id } = entry.detail.summary;
    const work = join(deps.stateDir, 'boots', `${id}.work`);
    const log = (step: string | null, stream: BootLogLine['stream'], text: string) => entry.log.add(step, stream, text);
    const steps = entry.run.steps;
    const report = (step: BootStep) => {
      entry.log.flush();
      deps.bus.publish('boot.step', { id, step });
      jobs.stepped(entry);
    };
    let files: Awaited<ReturnType<KernelOf>> | null = null;
    let disk = artifactPath;
    const summary = { ...entry.detail.summary };
    // The working directory's removal is registered before anything is written into it.
    const release = () => rmSync(work, { recursive: true, force: true });
    try {
      mkdirSync(work, { recursive: true, mode: 0o700 });
      const outcome = await runSteps({
        steps,
        cancelled: () => entry.abort.signal.aborted,
        onStep: report,
        work: async (step, index) => {
          if (step.id === 'kernel') {
            files = await deps.kernelOf(request.buildId, request.image);
            return `${files.kernelName}`;
          }
          if (step.id === 'disk') {
            if (!isGzip(readHead(artifactPath))) return `${artifactPath} (raw, opened read-only with a temporary overlay)`;
            disk = join(work, 'root.raw');
            await unpackGzip(artifactPath, disk, (done, total) => updateStep({ steps, onStep: report }, index, { message: `unpacked ${Math.round((100 * done) / total)}%` }), entry.abort.signal).catch((error: Error) => {
              throw entry.abort.signal.aborted ? new Cancelled() : error;
            });
            return `unpacked into ${disk}`;
          }
          const append = ['root=/dev/vda', 'rw', 'console=ttyS0,115200', 'panic=-1', ...(request.extraArgs ? [request.extraArgs] : [])].join(' ');
          const args = qemuArgs({ accel, memoryMiB: request.memoryMiB, direct: { kernel: files!.kernel, initrd: files!.initrd, append }, disks: [disk], pidfile: join(work, 'qemu.pid') });
          log('boot', 'info', `qemu-system-x86_64 ${args.join(' ')}`);
          const booted = await bootInQemu(deps.run, args, {
            marker: request.marker,
            timeoutMs: request.timeoutSeconds * 1000,
            signal: entry.abort.signal,
            ...(deps.qemu ? { command: deps.qemu } : {}),
            onSerial: (line) => log('boot', 'out', line),
            onQemu: (line) => log('boot', 'err', line),
            onStage: (stage) => {
              summary.stage = stage;
              updateStep({ steps, onStep: report }, index, { message: stage === 'booted' ? `booted: reached "${request.marker}"` : `stage: ${stage}` });
            },
          });
          summary.stage = booted.stage;
          summary.lastLine = booted.lastLine;
          summary.bootMs = booted.bootMs;
          if (booted.status === 'booted') return `booted: reached "${request.marker}" in ${(booted.bootMs! / 1000).toFixed(1)} s`;
          if (booted.status === 'cancelled') throw new Cancelled();
          const where = `${stageWords[booted.stage]}${booted.lastLine ? `; last line: ${booted.lastLine}` : ''}`;
          if (booted.status === 'timeout') throw new Error(`no "${request.marker}" within ${request.timeoutSeconds} s: stopped ${where}`);
          throw new Error(`QEMU ended (exit ${booted.exitCode ?? '?'}) ${where}${booted.qemuError ? `; qemu: ${booted.qemuError}` : ''}`);
        },
      });
      if (outcome.error) log(outcome.failedStep, 'err', outcome.error);
      Object.assign(summary, { status: outcome.status, failedStep: outcome.failedStep, error: outcome.error });
    } catch (error) {
      // Outside any step (the working directory could not be made): the job ends failed, never as a rejection nobody awaits.
      log(null, 'err', (error as Error).message);
      Object.assign(summary, { status: 'failed', failedStep: null, error: (error as Error).message });
    } finally {
      try {
        release();
      } catch (error) {
        log(null, 'err', `could not remove ${work}: ${(error as Error).message}`);
      }
    }
    entry.log.flush();
    const finished: BootSummary = { ...summary, finishedAt: new Date().toISOString(), durationMs: Date.now() - Date.parse(summary.startedAt) };
    jobs.complete(entry, finished);
    deps.bus.publish('boot.finished', finished);
    return finished;
  }

  return {
    list: (): BootSummary[] => jobs.summaries(),
    get: (id: string) => jobs.find(id).detail,
    logs: (id: string, from: number, count: number) => jobs.logs(id, from, count),

    /** Checks the build first; then boots in the background; `done` resolves at the end. */
    start(request: BootRequest): { id: string; done: Promise<BootSummary> } {
      const { build, artifact } = resolve(request);
      const accel = (deps.accel ?? accelerator)();
      const id = `boot-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
      const summary = startingBootSummary({ id, buildId: build.id, image: artifact.image, marker: request.marker, accel });
      const log = new JobLog<string>((lines) => deps.bus.publish('boot.log', toLogBatch(id, lines)));
      const steps = plannedBootSteps(accel);
      // A boot of the same build on the same accelerator takes what it took before; TCG is several times slower than KVM.
      const expectedStepMs = jobs.expectedSteps((done) => done.summary.buildId === summary.buildId && done.summary.accel === summary.accel);
      const entry: Live = { detail: { summary, steps, logTotal: 0, expectedStepMs }, log, run: { steps: [...steps] }, abort: new AbortController() };
      jobs.add(entry);
      deps.bus.publish('boot.started', entry.detail);
      log.add(null, 'info', `boot test ${id}: build ${build.id} (${artifact.image}), marker "${request.marker}", ${request.timeoutSeconds} s at most`);
      return { id, done: execute(entry, request, artifact.path, accel) };
    },

    cancel(id: string): boolean {
      const entry = jobs.running(id);
      if (!entry) return false;
      entry.log.add(null, 'info', 'cancel requested');
      entry.abort.abort();
      return true;
    },

    liveIds: () => jobs.liveIds(),
  };
}

export type BootService = ReturnType<typeof createBootService>;
