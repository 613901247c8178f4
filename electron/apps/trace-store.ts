import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceLine, TraceStream } from '../../shared/contract/apps.js';

export const traceStreams: readonly TraceStream[] = ['stdout', 'stderr', 'buildlog'];

/**
 * A run's traces on this host: `<results>/<node>/<stream>`, appended with
 * whole lines as they arrive. The local file's size is how far the node's
 * file has been read, so after a restart reading resumes where it stopped.
 */
export class TraceStore {
  private readonly lines: TraceLine[] = [];
  private readonly counts = new Map<string, number>();
  /** Bytes received after the last newline: kept until the line is whole (or the stream ends). */
  private readonly partial = new Map<string, Buffer>();

  constructor(readonly dir: string) {
    if (!existsSync(dir)) return;
    for (const node of readdirSync(dir)) {
      for (const stream of traceStreams) {
        const file = join(dir, node, stream);
        if (!existsSync(file)) continue;
        const text = readFileSync(file, 'utf8');
        for (const line of text.split('\n').slice(0, -1)) this.push(node, stream, line);
      }
    }
  }

  private key(node: string, stream: TraceStream): string {
    return `${node}\0${stream}`;
  }

  private push(node: string, stream: TraceStream, text: string): TraceLine {
    const key = this.key(node, stream);
    const line: TraceLine = { node, stream, n: this.counts.get(key) ?? 0, text };
    this.counts.set(key, line.n + 1);
    this.lines.push(line);
    return line;
  }

  /** How many bytes of the node's file are accounted for (whole lines kept, plus the partial tail). */
  offset(node: string, stream: TraceStream): number {
    const file = join(this.dir, node, stream);
    return (existsSync(file) ? statSync(file).size : 0) + (this.partial.get(this.key(node, stream))?.length ?? 0);
  }

  /** Bytes read at `offset`; whole lines are kept and returned, the rest waits (or is flushed when `final`). */
  add(node: string, stream: TraceStream, data: Buffer, final = false): TraceLine[] {
    const key = this.key(node, stream);
    const buffer = Buffer.concat([this.partial.get(key) ?? Buffer.alloc(0), data]);
    const end = final ? buffer.length : buffer.lastIndexOf(0x0a) + 1;
    this.partial.set(key, buffer.subarray(end));
    if (end === 0) return [];
    let whole = buffer.subarray(0, end);
    if (whole[whole.length - 1] !== 0x0a) whole = Buffer.concat([whole, Buffer.from('\n')]);
    mkdirSync(join(this.dir, node), { recursive: true });
    appendFileSync(join(this.dir, node, stream), whole);
    return whole.toString('utf8').split('\n').slice(0, -1).map((text) => this.push(node, stream, text));
  }

  page(filter: { node?: string; stream?: TraceStream }, from: number, count: number): { lines: TraceLine[]; total: number } {
    const matching = filter.node || filter.stream ? this.lines.filter((l) => (!filter.node || l.node === filter.node) && (!filter.stream || l.stream === filter.stream)) : this.lines;
    return { lines: matching.slice(from, from + count), total: matching.length };
  }
}
