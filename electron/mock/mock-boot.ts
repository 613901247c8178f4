import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { plannedBootSteps, SlipwayError, startingBootSummary, type bootCommands, type BootDetail, type BootLogLine, type BootStep, type BuildSummary } from '../../shared/contract/index.js';
import type { Handlers } from '../backend/backend.js';
import type { EventBus } from '../backend/event-bus.js';
import { toLogBatch } from '../../shared/contract/log-batch.js';

type BootCommand = keyof typeof bootCommands;
export type BootHandlers = Pick<Handlers, BootCommand>;

/** What a Debian image's serial console shows under TCG, abridged, with the stage each line starts. */
const serial: string[] = [
  '[    0.000000] Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1',
  '[    0.000000] Command line: root=/dev/vda rw console=ttyS0,115200 panic=-1',
  '[    0.412233] virtio_blk virtio1: [vda] 2713868 512-byte logical blocks (1.39 GB/1.29 GiB)',
  '[    1.904112] Run /init as init process',
  'Loading, please wait...',
  'Begin: Loading essential drivers ... done.',
  'Begin: Mounting root file system ... done.',
  '[    6.331008] EXT4-fs (vda): mounted filesystem with ordered data mode.',
  '[    7.840015] systemd[1]: systemd 252.31-1~deb12u1 running in system mode (+PAM +AUDIT +SELINUX)',
  'Welcome to Debian GNU/Linux 12 (bookworm)!',
  '[  OK  ] Reached target local-fs.target - Local File Systems.',
  '[  OK  ] Started systemd-journald.service - Journal Service.',
  '[  OK  ] Reached target multi-user.target - Multi-User System.',
  '',
  'Debian GNU/Linux 12 labnode ttyS0',
  '',
  'labnode login: ',
];

/** Scripted boot tests: the serial console of a boot to `login:`, a line at a time, at a pace a person can watch. */
export function createMockBoot(options: { bus: EventBus; builds(): Promise<BuildSummary[]>; speed?: number }): { handlers: BootHandlers; close(): void } {
  const records = new Map<string, { detail: BootDetail; lines: BootLogLine[]; cancelled: boolean }>();
  const speed = options.speed ?? 1;
  let closed = false;

  async function play(id: string): Promise<void> {
    const record = records.get(id)!;
    const { detail, lines } = record;
    const log = (step: string | null, stream: BootLogLine['stream'], text: string) => {
      const line = { n: lines.length, step, stream, text };
      lines.push(line);
      detail.logTotal = lines.length;
      options.bus.publish('boot.log', toLogBatch(id, [line]));
    };
    const step = (index: number, patch: Partial<BootStep>) => {
      detail.steps[index] = { ...detail.steps[index]!, ...patch };
      options.bus.publish('boot.step', { id, step: detail.steps[index]! });
    };
    const started = Date.now();
    for (const [index, message] of ['vmlinuz-6.1.0-27-amd64', 'raw, opened read-only with a temporary overlay'].entries()) {
      step(index, { status: 'running', startedAt: new Date().toISOString() });
      await sleep(300 * speed);
      step(index, { status: 'done', durationMs: 300 * speed, message });
    }
    step(2, { status: 'running', startedAt: new Date().toISOString() });
    const bootStart = Date.now();
    for (const text of serial) {
      if (record.cancelled || closed) break;
      await sleep(220 * speed);
      if (text) log('boot', 'out', text);
    }
    const summary = detail.summary;
    if (record.cancelled || closed) {
      step(2, { status: 'failed', durationMs: Date.now() - bootStart, message: 'cancelled' });
      Object.assign(summary, { status: 'cancelled', failedStep: 'boot', error: 'cancelled' });
    } else {
      const bootMs = Date.now() - bootStart;
      step(2, { status: 'done', durationMs: bootMs, message: `booted: reached "${summary.marker}" in ${(bootMs / 1000).toFixed(1)} s` });
      Object.assign(summary, { status: 'succeeded', stage: 'booted', bootMs, lastLine: 'labnode login:' });
    }
    Object.assign(summary, { finishedAt: new Date().toISOString(), durationMs: Date.now() - started });
    options.bus.publish('boot.finished', summary);
  }

  const find = (id: string) => {
    const record = records.get(id);
    if (!record) throw new SlipwayError('bad_request', `no boot test ${id}`);
    return record;
  };

  const handlers: BootHandlers = {
    'boot.list': async () => [...records.values()].map((r) => r.detail.summary).reverse(),
    'boot.get': async ({ id }) => find(id).detail,
    'boot.logs': async ({ id, from, count }) => {
      const { lines } = find(id);
      return { lines: lines.slice(from, from + count), total: lines.length };
    },
    'boot.cancel': async ({ id }) => {
      const record = find(id);
      const running = record.detail.summary.status === 'running';
      record.cancelled = running;
      return { cancelled: running };
    },
    'boot.start': async (request) => {
      const build = (await options.builds()).find((b) => b.id === request.buildId);
      if (!build) throw new SlipwayError('bad_request', `no build ${request.buildId}`, 'buildId');
      if (build.status !== 'succeeded') throw new SlipwayError('bad_request', `build ${build.id} did not succeed (${build.status}): nothing to boot`, 'buildId');
      const id = `boot-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
      const detail: BootDetail = {
        summary: startingBootSummary({ id, buildId: build.id, image: build.artifacts[0]?.image ?? 'root', marker: request.marker ?? 'login:', accel: 'tcg' }),
        steps: plannedBootSteps('tcg'),
        logTotal: 0,
      };
      records.set(id, { detail, lines: [], cancelled: false });
      options.bus.publish('boot.started', detail);
      void play(id);
      return { id };
    },
  };
  return {
    handlers,
    close: () => {
      closed = true;
    },
  };
}
