import { z } from 'zod';

/**
 * A job's new log lines as they travel in an event: columns, not one object a
 * line. A million-line build is a few hundred of these; the renderer checks a
 * batch's shape once (a loop over plain values) instead of parsing every line
 * with a schema, and keeps the texts as they arrive.
 *
 * - `from`: the first line's number (lines are consecutive: `from + i`);
 * - `texts`: each line's text;
 * - `streams`: one character per line: `o` out, `e` err, `i` info;
 * - `steps`: runs of lines by step, `[count, step]`, in order (a batch rarely spans more than one step).
 */
export interface LogBatch<S extends string = string> {
  id: string;
  from: number;
  texts: string[];
  streams: string;
  steps: [number, S | null][];
}

/** A line as job logs keep it (`LogLine`, `DeployLogLine`, `BootLogLine`). */
export interface ColumnLine<S extends string = string> {
  n: number;
  step: S | null;
  stream: 'out' | 'err' | 'info';
  text: string;
}

export type LogStream = ColumnLine['stream'];
const streamCode = { out: 'o', err: 'e', info: 'i' } as const satisfies Record<LogStream, string>;
const streamOfCode: Readonly<Record<string, LogStream>> = { o: 'out', e: 'err', i: 'info' };

export function streamOf(code: string): LogStream {
  return streamOfCode[code] ?? 'out';
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

/** The shape of a whole batch, checked once: columns of the same length, known stream codes, runs that add up. */
function batchProblem(value: Record<string, unknown>, step: z.ZodType<string>): string | null {
  const { texts, streams, steps, from } = value;
  if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 0) return 'from: a line number';
  if (!isStringArray(texts)) return 'texts: strings';
  if (typeof streams !== 'string' || streams.length !== texts.length || !/^[oei]*$/.test(streams)) return 'streams: one of o, e, i per line';
  if (!Array.isArray(steps)) return 'steps: runs';
  let covered = 0;
  for (const run of steps) {
    if (!Array.isArray(run) || run.length !== 2) return 'steps: [count, step] runs';
    const [count, id] = run as unknown[];
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count <= 0) return 'steps: a positive count';
    if (id !== null && !step.safeParse(id).success) return `steps: unknown step ${String(id)}`;
    covered += count;
  }
  return covered === texts.length ? null : 'steps: runs cover every line';
}

/** The event schema of a kind's log batch, its steps checked against the kind's step ids. */
export function logBatchSchema<S extends string>(step: z.ZodType<S>) {
  return z.object({ id: z.string(), from: z.unknown(), texts: z.unknown(), streams: z.unknown(), steps: z.unknown() }).superRefine((value, ctx) => {
    const problem = batchProblem(value, step);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [problem.split(':')[0]!] });
  }) as unknown as z.ZodType<LogBatch<S>>;
}

/** Consecutive lines (a job log's batch) as columns. */
export function toLogBatch<S extends string>(id: string, lines: readonly ColumnLine<S>[]): LogBatch<S> {
  const texts: string[] = new Array<string>(lines.length);
  let streams = '';
  const steps: [number, S | null][] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    texts[i] = line.text;
    streams += streamCode[line.stream];
    const run = steps.at(-1);
    if (run && run[1] === line.step) run[0] += 1;
    else steps.push([1, line.step]);
  }
  return { id, from: lines[0]?.n ?? 0, texts, streams, steps };
}

/** The step of each line of a batch, run by run: `visit(index, step)` for every line. */
export function forEachStep<S extends string>(batch: LogBatch<S>, visit: (index: number, step: S | null) => void): void {
  let index = 0;
  for (const [count, step] of batch.steps) for (const end = index + count; index < end; index += 1) visit(index, step);
}

/** A batch as line objects again (the CLI's JSON output, tests). */
export function fromLogBatch<S extends string>(batch: LogBatch<S>): ColumnLine<S>[] {
  const lines: ColumnLine<S>[] = new Array<ColumnLine<S>>(batch.texts.length);
  forEachStep(batch, (i, step) => {
    lines[i] = { n: batch.from + i, step, stream: streamOf(batch.streams[i]!), text: batch.texts[i]! };
  });
  return lines;
}
