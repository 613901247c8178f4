import { describe, expect, it } from 'vitest';
import { lineSplitter, streamLines } from './stream-exec.js';
import { localShellChannel } from './test-support/local-shell.js';

describe('lineSplitter', () => {
  it('gives whole lines across chunk and UTF-8 character boundaries, and a last line without its newline', () => {
    const lines: string[] = [];
    const split = lineSplitter((line) => lines.push(line));
    const bytes = Buffer.from('one\ntw€o\n\nthree');
    for (let at = 0; at < bytes.length; at += 3) split.push(bytes.subarray(at, at + 3));
    expect(lines).toEqual(['one', 'tw€o', '']);
    split.end();
    expect(lines).toEqual(['one', 'tw€o', '', 'three']);
  });
});

describe('streamLines over a real sh', () => {
  it('delivers stdout and stderr lines as they come, while the command runs, then closes once and releases its slot', async () => {
    // The command answers each line it reads: lines arrive before the command ends.
    const channel = localShellChannel("echo ready; echo 'said on stderr' >&2; while read -r l; do echo \"got $l\"; done; echo bye");
    const out: string[] = [];
    const err: string[] = [];
    let released = 0;
    const closed = new Promise<void>((resolve) => {
      const stream = streamLines(channel, { line: (l) => out.push(l), errorLine: (l) => err.push(l), closed: resolve }, () => released++);
      void (async () => {
        while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 5));
        channel.write('a\n');
        while (!out.includes('got a')) await new Promise((r) => setTimeout(r, 5));
        expect(stream.isClosed).toBe(false);
        stream.close();
      })();
    });
    await closed;
    expect(out.slice(0, 2)).toEqual(['ready', 'got a']);
    expect(err).toEqual(['said on stderr']);
    expect(released).toBe(1);
  });

  it('reports a command that ends by itself', async () => {
    const out: string[] = [];
    let released = 0;
    await new Promise<void>((resolve) => streamLines(localShellChannel("printf 'x\\ny'"), { line: (l) => out.push(l), closed: resolve }, () => released++));
    expect(out).toEqual(['x', 'y']);
    expect(released).toBe(1);
  });
});
