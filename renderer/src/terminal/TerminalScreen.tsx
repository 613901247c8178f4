import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'react';
import { terminalLimits } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import { installXtermStyleShim, sweepXtermStyles } from './csp-style-shim.js';
import { inputPieces } from './terminal-bytes.js';
import type { Screen } from './terminal-output.js';
import { searchers } from './terminal-search.js';
import { terminalOutput, useTerminals, type TerminalTab } from './terminals-store.js';

const clamp = (value: number, range: { min: number; max: number }) => Math.min(range.max, Math.max(range.min, value));


/**
 * One tab's screen: an xterm attached to its session's output, its keystrokes
 * sent as input frames, its size (fitted to the panel) passed to the node's pty.
 */
export function TerminalScreen({ tab, shown }: { tab: TerminalTab; shown: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const terminal = useRef<{ term: Terminal; fit: FitAddon } | null>(null);
  const session = useRef<string | null>(tab.session);
  const open = tab.state === 'open';

  useEffect(() => {
    installXtermStyleShim();
    const term = new Terminal({
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
      fontSize: 13,
      scrollback: 5_000,
      cursorBlink: true,
      theme: { background: '#101418', foreground: '#d8dee4' },
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.open(host.current!);
    terminal.current = { term, fit };
    searchers.set(tab.key, search);
    const send = (data: string, kind: 'text' | 'binary') => {
      const id = session.current;
      if (!id) return;
      for (const piece of inputPieces(data, kind, terminalLimits.maxInputBytes)) {
        void backend().request('terminal.input', { session: id, data: piece }).catch(() => undefined);
      }
    };
    const typed = term.onData((data) => send(data, 'text'));
    const binary = term.onBinary((data) => send(data, 'binary'));
    const resized = term.onResize(({ cols, rows }) => {
      const id = session.current;
      if (id) void backend().request('terminal.resize', { session: id, cols, rows }).catch(() => undefined);
    });
    const observer = new ResizeObserver(() => {
      if (host.current?.offsetParent) fit.fit();
    });
    observer.observe(host.current!);
    fit.fit();
    void useTerminals.getState().start(tab.key, clamp(term.cols, terminalLimits.cols), clamp(term.rows, terminalLimits.rows));
    return () => {
      observer.disconnect();
      typed.dispose();
      binary.dispose();
      resized.dispose();
      searchers.delete(tab.key);
      terminal.current = null;
      term.dispose();
      sweepXtermStyles();
    };
    // One xterm per tab for the tab's whole life.
  }, [tab.key]);

  // Output reaches the screen once the session is known; what it wrote is acked.
  useEffect(() => {
    session.current = tab.session;
    const current = terminal.current;
    if (!tab.session || !current) return;
    const screen: Screen = { write: (bytes, written) => current.term.write(bytes, written) };
    terminalOutput.attach(tab.session, screen);
    return () => terminalOutput.detach(tab.session!, screen);
  }, [tab.session]);

  useEffect(() => {
    const current = terminal.current;
    if (!current || !shown) return;
    current.fit.fit();
    if (open) current.term.focus();
  }, [shown, open]);

  useEffect(() => {
    if (tab.state === 'closed' && terminal.current) terminal.current.term.options.cursorBlink = false;
  }, [tab.state]);

  return <div ref={host} className="tdock__screen" data-terminal-screen={tab.title} hidden={!shown} />;
}
