import { z } from 'zod';
import { logBatchSchema } from './log-batch.js';
import { ExpectedStepMs } from '../jobs/step-estimate.js';
import { command } from './define.js';
import { StepStatus } from './builds.js';

/**
 * Boot tests (`slipway boot BUILD`, the Builds view's "Boot test"): the built
 * image booted in QEMU with its own kernel and initrd, the serial console
 * streamed as the job's log, until a marker shows or the time is up.
 */

/** Kernel arguments: printable words separated by single spaces, nothing a boot loader config would read as a new line. */
export const KernelArgs = z
  .string()
  .max(1024, 'at most 1024 characters')
  .regex(/^([\x21-\x7e]+( [\x21-\x7e]+)*)?$/, 'must be printable words separated by single spaces (no tabs, newlines or quotes across lines)');

/** Text looked for on the serial console: one line's worth, no control characters. */
export const BootMarker = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'at most 200 characters')
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

export const BootRequest = z
  .object({
    buildId: z.string().min(1),
    /** The build's image to boot as the root disk; its first by default. */
    image: z.string().optional(),
    /** `login:` is the serial getty's prompt: systemd reached multi-user. */
    marker: BootMarker.default('login:'),
    timeoutSeconds: z.number().int().min(10).max(3600).default(600),
    memoryMiB: z.number().int().min(256).max(16_384).default(1024),
    extraArgs: KernelArgs.default(''),
  })
  .strict();
export type BootRequest = z.output<typeof BootRequest>;
export type BootRequestInput = z.input<typeof BootRequest>;

/** How far a boot got, read from the serial console. */
export const BootStage = z.enum(['firmware', 'kernel', 'initramfs', 'userspace', 'booted']);
export type BootStage = z.infer<typeof BootStage>;

export const BootStep = z.object({
  /** `kernel`, `disk`, `boot`, `release`. */
  id: z.string(),
  label: z.string(),
  status: StepStatus,
  startedAt: z.iso.datetime().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  message: z.string().nullable(),
});
export type BootStep = z.infer<typeof BootStep>;

export const BootSummary = z.object({
  id: z.string(),
  buildId: z.string(),
  image: z.string(),
  marker: z.string(),
  /** kvm where /dev/kvm opens, tcg (emulation, several times slower) otherwise. */
  accel: z.enum(['kvm', 'tcg']),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  stage: BootStage.nullable(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  /** From QEMU's start to the marker. */
  bootMs: z.number().nonnegative().nullable(),
  failedStep: z.string().nullable(),
  error: z.string().nullable(),
  /** The serial console's last line: where a failed boot stopped. */
  lastLine: z.string().nullable(),
});
export type BootSummary = z.infer<typeof BootSummary>;

export const BootLogLine = z.object({
  n: z.number().int().nonnegative(),
  step: z.string().nullable(),
  /** `out`: the serial console; `err`: QEMU's own complaints; `info`: Slipway's words. */
  stream: z.enum(['out', 'err', 'info']),
  text: z.string(),
});
export type BootLogLine = z.infer<typeof BootLogLine>;

export const BootDetail = z.object({
  summary: BootSummary,
  steps: z.array(BootStep),
  logTotal: z.number().int().nonnegative(),
  /** Each step's usual duration in earlier boot tests: the time-left estimate. */
  expectedStepMs: ExpectedStepMs.nullish(),
});
export type BootDetail = z.infer<typeof BootDetail>;

export const bootCommands = {
  'boot.list': command(z.object({}).strict(), z.array(BootSummary)),
  'boot.get': command(z.object({ id: z.string() }).strict(), BootDetail),
  'boot.start': command(BootRequest, z.object({ id: z.string() })),
  'boot.cancel': command(z.object({ id: z.string() }).strict(), z.object({ cancelled: z.boolean() })),
  'boot.logs': command(
    z.object({ id: z.string(), from: z.number().int().nonnegative(), count: z.number().int().positive().max(5_000) }).strict(),
    z.object({ lines: z.array(BootLogLine), total: z.number().int().nonnegative() }),
  ),
};

export const bootEvents = {
  'boot.started': BootDetail,
  'boot.step': z.object({ id: z.string(), step: BootStep }),
  'boot.log': logBatchSchema(z.string()),
  'boot.finished': BootSummary,
};

/** A boot test's steps before it runs, as both backends start one. */
export function plannedBootSteps(accel: 'kvm' | 'tcg'): BootStep[] {
  return [
    { id: 'kernel', label: 'Take the kernel and initrd out of the image' },
    { id: 'disk', label: 'Stage the image as the root disk (read-only)' },
    { id: 'boot', label: `Boot in QEMU (${accel === 'kvm' ? 'KVM' : 'TCG, emulated'})` },
  ].map((step) => ({ ...step, status: 'pending', startedAt: null, durationMs: null, message: null }));
}

/** A boot test's summary as it starts. */
export function startingBootSummary(start: Pick<BootSummary, 'id' | 'buildId' | 'image' | 'marker' | 'accel'>): BootSummary {
  return { ...start, status: 'running', stage: null, startedAt: new Date().toISOString(), finishedAt: null, durationMs: null, bootMs: null, failedStep: null, error: null, lastLine: null };
}
