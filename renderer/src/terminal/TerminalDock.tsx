import { lazy, Suspense, useState } from 'react';
import { searchers } from './terminal-search.js';
import { openCount, useTerminals, type TerminalTab } from './terminals-store.js';

// xterm is loaded with the first terminal, not with the console.
const TerminalScreen = lazy(() => import('./TerminalScreen.js').then((module) => ({ default: module.TerminalScreen })));

function tabLabel(tab: TerminalTab): string {
  if (tab.state === 'opening') return `${tab.title} (opening…)`;
  if (tab.state === 'closed') return `${tab.title} (closed)`;
  return tab.title;
}

/** Finds text in the active tab's screen (xterm's search addon), next on Enter, previous on Shift+Enter. */
function SearchBox({ tabKey }: { tabKey: string }) {
  const [query, setQuery] = useState('');
  const find = (backwards: boolean) => {
    const search = searchers.get(tabKey);
    if (!search || !query) return;
    if (backwards) search.findPrevious(query);
    else search.findNext(query);
  };
  return (
    <input
      type="search"
      className="tdock__search"
      placeholder="Find in terminal"
      aria-label="Find in terminal"
      value={query}
      onChange={(event) => setQuery(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') find(event.shiftKey);
      }}
    />
  );
}

/**
 * Terminals to inventory nodes (or into their containers), one tab each, docked under the views so they
 * survive view switches. A session that ended stays readable, marked with why
 * it ended, until its tab is closed.
 */
export function TerminalDock() {
  const tabs = useTerminals((s) => s.tabs);
  const active = useTerminals((s) => s.active);
  const visible = useTerminals((s) => s.visible);
  const select = useTerminals((s) => s.select);
  const close = useTerminals((s) => s.close);
  const setVisible = useTerminals((s) => s.setVisible);
  if (tabs.length === 0) return null;
  const current = tabs.find((tab) => tab.key === active) ?? null;
  const running = openCount(tabs);

  return (
    <section className={`tdock${visible ? '' : ' tdock--collapsed'}`} aria-label="Terminals">
      <div className="tdock__bar">
        <div role="tablist" aria-label="Terminal sessions" className="tdock__tabs">
          {tabs.map((tab) => (
            <span key={tab.key} className={`tdock__tab tdock__tab--${tab.state}${tab.key === active ? ' tdock__tab--active' : ''}`}>
              <button
                type="button"
                role="tab"
                aria-selected={tab.key === active && visible}
                aria-controls={`terminal-panel-${tab.key}`}
                className="tdock__tab-name"
                onClick={() => select(tab.key)}
              >
                {tabLabel(tab)}
              </button>
              <button
                type="button"
                className="tdock__tab-close"
                aria-label={tab.state === 'closed' ? `Remove the terminal tab of ${tab.title}` : `Close the terminal on ${tab.title}`}
                onClick={() => close(tab.key)}
              >
                ×
              </button>
            </span>
          ))}
        </div>
        {visible && current && <SearchBox key={current.key} tabKey={current.key} />}
        <button type="button" className="button button--small button--quiet" onClick={() => setVisible(!visible)} aria-expanded={visible}>
          {visible ? 'Hide terminals' : `Terminals (${running} open)`}
        </button>
      </div>
      <div className="tdock__body" hidden={!visible}>
        {tabs.map((tab) => (
          <div
            key={tab.key}
            id={`terminal-panel-${tab.key}`}
            role="tabpanel"
            aria-label={`Terminal on ${tab.title}`}
            className="tdock__panel"
            hidden={tab.key !== active}
            data-terminal-state={tab.state}
          >
            {tab.message && (
              <p role="status" className={`tdock__status tdock__status--${tab.state}`}>
                {tab.message}
              </p>
            )}
            <Suspense fallback={<div className="tdock__screen" />}>
              <TerminalScreen tab={tab} shown={visible && tab.key === active} />
            </Suspense>
          </div>
        ))}
      </div>
    </section>
  );
}
