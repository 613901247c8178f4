import type { BootStage } from '../../shared/contract/index.js';
import type { Runner } from '../process/runner.js';
import { nextStage, serialText } from './serial-stages.js';

export interface BootWatch {
  marker: string;
  timeoutMs: number;
  /** Each finished serial line, cleaned of terminal escapes. */
  onSerial(line: string): void;
  onQemu(line: string): void;
  onStage(stage: BootStage): void;
  signal?: AbortSignal;
  /** The QEMU binary and a prefix (tests run it inside a network namespace: `ip netns exec NS`). */
  command?: { file: string; prefix: readonly string[] };
  now?: () => number;
}

export interface BootOutcome {
  status: 'booted' | 'timeout' | 'exited' | 'cancelled';
  stage: BootStage;
  bootMs: number | null;
  lastLine: string | null;
  /** QEMU's exit code when it ended by itself (a panic with -no-reboot, a bad argument). */
  exitCode: number | null;
  qemuError: string | null;
}

/**
 * Runs one QEMU machine until the marker shows on its serial console (also
 * in an unfinished line: a login prompt has no newline), the time is up, the
 * job is cancelled, or QEMU ends by itself. QEMU is stopped in every case but
 * the last; it never outlives the call.
 */
export async function bootInQemu(runner: Runner, args: readonly string[], watch: BootWatch): Promise<BootOutcome> {
  const now = watch.now ?? Date.now;
  const started = now();
  const stop = new AbortController();
  let ending: BootOutcome['status'] | null = null;
  let stage: BootStage = 'firmware';
  let bootMs: number | null = null;
  let lastLine: string | null = null;
  const end = (why: BootOutcome['status']) => {
    ending ??= why;
    stop.abort();
  };
  const timer = setTimeout(() => end('timeout'), watch.timeoutMs);
  const onCancel = () => end('cancelled');
  watch.signal?.addEventListener('abort', onCancel, { once: true });
  if (watch.signal?.aborted) end('cancelled');
  const see = (text: string) => {
    const next = nextStage(stage, text);
    if (next !== stage) watch.onStage((stage = next));
    if (ending === null && text.includes(watch.marker)) {
      bootMs = now() - started;
      watch.onStage((stage = 'booted'));
      end('booted');
    }
  };
  const qemuErrors: string[] = [];
  const command = watch.command ?? { file: 'qemu-system-x86_64', prefix: [] };
  const [file, ...prefix] = command.prefix.length > 0 ? [...command.prefix, command.file] : [command.file];
  try {
    const result = await runner(file!, [...prefix, ...args], {
      signal: stop.signal,
      onLine: (stream, raw) => {
        const text = serialText(raw);
        if (!text.trim()) return;
        if (stream === 'err') {
          qemuErrors.push(text);
          watch.onQemu(text);
          return;
        }
        lastLine = text;
        watch.onSerial(text);
        see(text);
      },
      onPartial: (stream, raw) => {
        if (stream !== 'out' || ending !== null) return;
        const text = serialText(raw);
        see(text);
        // The prompt that ended the boot is kept as a line: QEMU is stopped before its newline would come.
        if (ending === 'booted') {
          lastLine = text;
          watch.onSerial(text);
        }
      },
    });
    const status = ending ?? 'exited';
    return { status, stage, bootMs, lastLine, exitCode: status === 'exited' ? result.exitCode : null, qemuError: qemuErrors.at(-1) ?? result.error ?? null };
  } finally {
    clearTimeout(timer);
    watch.signal?.removeEventListener('abort', onCancel);
  }
}
