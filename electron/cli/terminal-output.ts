/** Progress on a terminal (one rewritten line), plain lines when piped. */
export interface Progress {
  update(text: string): void;
  done(): void;
}

export function progressOn(stream: NodeJS.WriteStream): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let shown = false;
  return {
    update(text) {
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns ?? 80) - 1)}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}

export function useColour(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && process.env.NO_COLOR === undefined;
}

export function paint(on: boolean, code: number, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** Columns padded to their widest cell; widths ignore colour codes; the last column runs free. */
export function table(rows: string[][]): string {
  // eslint-disable-next-line no-control-regex -- matching the ESC of an SGR colour code is the point
  const plain = (cell: string) => cell.replace(/\x1b\[[0-9;]*m/g, '');
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => plain(r[i]!).length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - plain(cell).length))).join('  ')).join('\n');
}

