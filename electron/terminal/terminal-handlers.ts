import type { Handlers } from '../backend/backend.js';
import type { TerminalService } from './terminal-service.js';

type TerminalCommand = 'terminal.open' | 'terminal.input' | 'terminal.resize' | 'terminal.ack' | 'terminal.close';

/** The contract's terminal commands over a terminal service: the same for the real and the mocked backend. */
export function terminalHandlers(terminals: TerminalService): Pick<Handlers, TerminalCommand> {
  return {
    'terminal.open': ({ node, container, cols, rows }, client) => terminals.open({ node, container }, { cols, rows }, client),
    'terminal.input': async ({ session, data }, client) => (terminals.input(session, data, client), {}),
    'terminal.resize': async ({ session, cols, rows }, client) => (terminals.resize(session, cols, rows, client), {}),
    'terminal.ack': async ({ session, bytes }, client) => (terminals.ack(session, bytes, client), {}),
    'terminal.close': async ({ session }, client) => ({ closed: terminals.close(session, client) }),
  };
}
