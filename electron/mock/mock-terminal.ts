import type { NodeStatus } from '../../shared/contract/index.js';
import { SlipwayError } from '../../shared/contract/index.js';
import type { TerminalChannel } from '../terminal/terminal-service.js';

/**
 * A pretend login shell for the mocked console (UI tests and demos): it echoes
 * what is typed, answers `echo WORDS` and `echo $((A*B))` (+ - * /), `exit [N]`
 * ends it with that status, anything else is "not found". It never runs anything.
 */
export function mockShell(node: string, where: { banner: string; prompt: string } = { banner: `Mocked shell on ${node} (nothing runs here).`, prompt: `mock@${node}:~$ ` }): TerminalChannel {
  const dataListeners: ((chunk: Buffer) => void)[] = [];
  const closeListeners: ((code: number | null, signal: string | null) => void)[] = [];
  let line = '';
  let closed = false;
  let paused = false;
  const held: Buffer[] = [];
  const { prompt } = where;

  const emit = (text: string) => {
    const chunk = Buffer.from(text.replace(/\n/g, '\r\n'));
    if (paused) held.push(chunk);
    else setImmediate(() => dataListeners.forEach((listener) => listener(chunk)));
  };
  const end = (code: number | null) => {
    if (closed) return;
    closed = true;
    setImmediate(() => closeListeners.forEach((listener) => listener(code, null)));
  };

  function run(command: string): void {
    const exit = /^exit(?:\s+(\d+))?$/.exec(command);
    if (exit) return end(Number(exit[1] ?? 0));
    const arithmetic = /^echo\s+\$\(\(\s*(-?\d+)\s*([-+*/])\s*(-?\d+)\s*\)\)$/.exec(command);
    if (arithmetic) {
      const [a, b] = [Number(arithmetic[1]), Number(arithmetic[3])];
      const value = { '+': a + b, '-': a - b, '*': a * b, '/': b === 0 ? NaN : Math.trunc(a / b) }[arithmetic[2] as '+' | '-' | '*' | '/'];
      emit(Number.isNaN(value) ? 'sh: division by zero\n' : `${value}\n`);
    } else if (/^echo(\s|$)/.test(command)) emit(`${command.slice(5)}\n`);
    else if (command !== '') emit(`sh: ${command.split(/\s+/)[0]}: not found\n`);
    emit(prompt);
  }

  emit(`${where.banner}\n${prompt}`);
  return {
    write(data) {
      if (closed) return;
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          emit('\n');
          const command = line.trim();
          line = '';
          run(command);
        } else if (char === '\x7f' || char === '\b') {
          if (line.length > 0) {
            line = line.slice(0, -1);
            emit('\b \b');
          }
        } else if (char === '\x03') {
          line = '';
          emit(`^C\n${prompt}`);
        } else if (char === '\x04' && line === '') end(0);
        else if (char >= ' ') {
          line += char;
          emit(char);
        }
      }
    },
    onData: (listener) => void dataListeners.push(listener),
    onClose: (listener) => void closeListeners.push(listener),
    resize: () => undefined,
    pause: () => void (paused = true),
    resume() {
      paused = false;
      for (const chunk of held.splice(0)) setImmediate(() => dataListeners.forEach((listener) => listener(chunk)));
    },
    close: () => end(null),
  };
}

/** Opens a mocked shell on a mocked node, refused the way the real pool refuses (unknown node, unreachable, untrusted key). */
export async function openMockShell(node: string, inventory: () => Promise<NodeStatus[]>): Promise<TerminalChannel> {
  const status = (await inventory()).find((s) => s.spec.name === node);
  if (!status) throw new SlipwayError('bad_request', `no node named ${node} in the inventory`, 'node');
  if (status.state !== 'reachable' && status.state !== 'unknown') {
    throw new SlipwayError('failed', `${node}: ${status.errors[0]?.message ?? status.state}`);
  }
  return mockShell(node);
}

/** A pty whose command said one line and exited with `code`: what a shell into a container that is not running shows. */
export function mockRefusal(line: string, code: number): TerminalChannel {
  const dataListeners: ((chunk: Buffer) => void)[] = [];
  const closeListeners: ((code: number | null, signal: string | null) => void)[] = [];
  let ended = false;
  const end = (status: number | null) => {
    if (ended) return;
    ended = true;
    closeListeners.forEach((listener) => listener(status, null));
  };
  // Said, then ended, on later turns (the caller attaches its listeners first).
  setImmediate(() => {
    if (ended) return;
    dataListeners.forEach((listener) => listener(Buffer.from(`${line}\r\n`)));
    setImmediate(() => end(code));
  });
  return {
    write: () => undefined,
    onData: (listener) => void dataListeners.push(listener),
    onClose: (listener) => void closeListeners.push(listener),
    resize: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    close: () => end(null),
  };
}
