import { useDeferredValue, useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { formatCount } from '../lib/format.js';
import type { LogBuffer, ShownLine } from '../lib/log-buffer.js';
import { findMatches, splitMatches } from './log-search.js';
import { useFollowViewport } from './use-follow-viewport.js';
import { openText, rawLogText, saveText, type LogSource } from './log-download.js';
import { visibleRange } from '../lib/virtual-window.js';

/** Fixed, so a row's position is its index times this: the CSS line height matches it. */
export const logRowHeight = 18;
const overscan = 24;

interface LogViewerProps {
  log: LogBuffer<ShownLine>;
  /** Changes whenever `log` grows. */
  revision: number;
  /** Lines the backend holds; more than `log.length` while pages are loading. */
  total: number;
  loading: boolean;
  /** The viewport's accessible name. */
  label?: string;
  /** The heading: "Log", or what the lines are ("Serial console"). */
  title?: string;
  /** Where the whole log is read from, for Download and Open raw. */
  source?: LogSource;
}

/** Download and Open raw: the whole log as text, read page by page, with how far it is on a long one. */
function RawLogActions({ source }: { source: LogSource }) {
  const [reading, setReading] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function take(use: (text: string) => void): Promise<void> {
    if (reading !== null) return;
    setError(null);
    setReading('Reading the log…');
    try {
      use(await rawLogText(source, (read, total) => setReading(`Reading ${formatCount(read)} of ${formatCount(total)} lines…`)));
    } catch (failure) {
      setError(`Could not read the log: ${failure instanceof Error ? failure.message : String(failure)}`);
    } finally {
      setReading(null);
    }
  }
  return (
    <>
      {reading && <span className="log__count" aria-live="polite">{reading}</span>}
      {error && <span className="error" role="alert">{error}</span>}
      <button type="button" className="button button--small" disabled={reading !== null} onClick={() => void take((text) => saveText(text, source.fileName))}>
        Download
      </button>
      <button type="button" className="button button--small" disabled={reading !== null} onClick={() => void take(openText)} title="The raw log in a new window">
        Open raw
      </button>
    </>
  );
}

function LogRow({ line, top, query, current }: { line: ShownLine; top: number; query: string; current: boolean }) {
  return (
    <div className={`log__row log__row--${line.stream}${current ? ' log__row--current' : ''}`} style={{ top, height: logRowHeight }} data-line={line.n + 1}>
      <span className="log__n">{line.n + 1}</span>
      <span className="log__step">{line.step ?? '·'}</span>
      <span className="log__text">
        {splitMatches(line.text, query).map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : part.text))}
      </span>
    </div>
  );
}

/**
 * A job's log (a build's or a deploy's) of any length: only the rows in view (plus overscan) are in the
 * DOM, absolutely placed in a spacer as tall as the whole log. It follows the
 * tail while the operator is at the bottom and stops when they scroll up.
 */
/** Whether a tail-following view keeps to the newest line: logs and traces alike. */
export function FollowButton({ follow, setFollow }: { follow: boolean; setFollow: (on: boolean) => void }) {
  return (
    <button type="button" className={`button button--small${follow ? ' button--on' : ''}`} aria-pressed={follow} onClick={() => setFollow(!follow)}>
      Follow
    </button>
  );
}

export function LogViewer({ log, revision, total, loading, label = 'Build log', title = 'Log', source }: LogViewerProps) {
  const titleId = useId();
  const [query, setQuery] = useState('');
  const [onlyMatches, setOnlyMatches] = useState(false);
  const [current, setCurrent] = useState(0);
  const search = useDeferredValue(query.trim());

  const matches = useMemo(() => findMatches(log.all, search), [log, revision, search]);
  const rows = onlyMatches && search ? matches : null;
  const count = rows ? rows.length : log.length;
  const currentLine = matches.length > 0 ? matches[Math.min(current, matches.length - 1)]! : -1;
  const { viewport, scrollTop, height, follow, setFollow, onScroll, scrollToRow } = useFollowViewport(count, logRowHeight);

  function goToMatch(index: number): void {
    if (matches.length === 0) return;
    const wrapped = (index + matches.length) % matches.length;
    setCurrent(wrapped);
    scrollToRow(rows ? wrapped : matches[wrapped]!);
  }

  // A new search jumps to its first match.
  useEffect(() => {
    setCurrent(0);
    if (search && matches.length > 0) scrollToRow(rows ? 0 : matches[0]!);
    // Only a new query moves the view; lines streaming in do not, hence the short dependency list.
  }, [search, onlyMatches]);

  function onSearchKey(event: KeyboardEvent<HTMLInputElement>): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      goToMatch(current + (event.shiftKey ? -1 : 1));
    } else if (event.key === 'Escape') {
      setQuery('');
    }
  }

  const { first, end } = visibleRange({ scrollTop, viewportHeight: height, rowHeight: logRowHeight, total: count, overscan });
  const visible: { index: number; line: ShownLine }[] = [];
  for (let index = first; index < end; index += 1) {
    const line = log.at(rows ? rows[index]! : index);
    if (line) visible.push({ index, line });
  }

  return (
    <section className="log" aria-labelledby={titleId}>
      <header className="log__toolbar">
        <h3 id={titleId} className="panel__title">{title}</h3>
        <span className="log__count" data-testid="log-count">
          {loading && total > log.length ? `Loading ${formatCount(log.length)} of ${formatCount(total)} lines…` : `${formatCount(log.length)} lines`}
        </span>
        <span className="log__grow" />
        {source && <RawLogActions source={source} />}
        <FollowButton follow={follow} setFollow={setFollow} />
      </header>
      <div className="log__toolbar" role="search">
        <input
          type="search"
          className="log__search"
          placeholder="Search the log"
          title="Enter: next match · Shift+Enter: previous · Escape: clear"
          aria-label="Search the log"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={onSearchKey}
        />
        <span className="log__matches" aria-live="polite">
          {search ? (matches.length > 0 ? `${formatCount(Math.min(current, matches.length - 1) + 1)} of ${formatCount(matches.length)}` : 'no match') : ''}
        </span>
        <button type="button" className="button button--small" disabled={matches.length === 0} onClick={() => goToMatch(current - 1)} aria-label="Previous match">
          ↑
        </button>
        <button type="button" className="button button--small" disabled={matches.length === 0} onClick={() => goToMatch(current + 1)} aria-label="Next match">
          ↓
        </button>
        <label className="log__only">
          <input type="checkbox" checked={onlyMatches} onChange={(event) => setOnlyMatches(event.target.checked)} /> matching lines only
        </label>
      </div>
      <div
        ref={viewport}
        className="log__viewport"
        role="region"
        aria-label={label}
        tabIndex={0}
        onScroll={onScroll}
      >
        <div className="log__spacer" style={{ height: count * logRowHeight }}>
          {visible.map(({ index, line }) => (
            <LogRow key={line.n} line={line} top={index * logRowHeight} query={search} current={line.n === currentLine} />
          ))}
        </div>
        {count === 0 && <p className="log__empty">{loading ? 'Loading the log…' : search && rows ? 'No line matches.' : 'No output yet.'}</p>}
      </div>
      {!follow && log.length > 0 && (
        <button type="button" className="button button--small log__jump" onClick={() => setFollow(true)}>
          ↓ Follow the tail
        </button>
      )}
    </section>
  );
}
