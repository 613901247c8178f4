import { memo, useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { formatCount } from '../lib/format.js';
import type { ShownLine } from '../lib/log-buffer.js';
import { searchOnward, splitMatches, type IncrementalSearch, type ReadableLines } from './log-search.js';
import { useFollowViewport } from './use-follow-viewport.js';
import { openText, rawLogText, saveText, type LogSource } from './log-download.js';
import { logPageSize } from './job-slice.js';
import { visibleRange } from '../lib/virtual-window.js';

/** "1 line", "12,345 lines". */
export const lineCount = (n: number) => `${formatCount(n)} ${n === 1 ? 'line' : 'lines'}`;

/** Fixed, so a row's position is its index times this: the CSS line height matches it. */
export const logRowHeight = 18;
const overscan = 24;

/** How one kind of line looks in a row: a class, the cells before its text, data attributes for tests and styles. */
export interface LineLook<L> {
  className(line: L): string;
  cells(line: L): ReactNode;
  data(line: L): Record<`data-${string}`, string | number>;
}

/** A build's, deploy's or boot's line: its number and its step. */
export const jobLineLook: LineLook<ShownLine> = {
  className: (line) => `log__row--${line.stream}`,
  cells: (line) => (
    <>
      <span className="log__n">{line.n + 1}</span>
      <span className="log__step">{line.step ?? '·'}</span>
    </>
  ),
  data: (line) => ({ 'data-line': line.n + 1 }),
};

interface CommonLogViewerProps<L> {
  log: ReadableLines<L>;
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
  /** The lines a filter outside the search keeps (the traces' node and stream chips), as indices into `log`; absent or null: all. */
  rows?: readonly number[] | null;
  /** That filter's controls (and what went wrong), under the toolbar. */
  filters?: ReactNode;
  /** What the lines are called in the search box and while loading: "log", "traces". */
  noun?: string;
  countTestId?: string;
  className?: string;
}

/** A job's lines have a look of their own; any other kind of line must say how it looks. */
type LogViewerProps<L extends { text: string }> = CommonLogViewerProps<L> & (L extends ShownLine ? { look?: LineLook<L> } : { look: LineLook<L> });

/** Download and Open raw: the whole log as text, read page by page, with how far it is on a long one. Memoized: a flood does not render it again. */
const RawLogActions = memo(function RawLogActions({ source }: { source: LogSource }) {
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
});

interface SearchBarProps {
  label: string;
  query: string;
  setQuery(query: string): void;
  onKey(event: KeyboardEvent<HTMLInputElement>): void;
  /** "3 of 12", "no match", or nothing without a search. */
  matchesText: string;
  canStep: boolean;
  /** To the next (1) or previous (-1) match. */
  step(by: number): void;
  onlyMatches: boolean;
  setOnlyMatches(on: boolean): void;
}

/** The search row: memoized, so lines streaming in (a new revision every frame) do not render it again. */
const LogSearchBar = memo(function LogSearchBar({ label, query, setQuery, onKey, matchesText, canStep, step, onlyMatches, setOnlyMatches }: SearchBarProps) {
  return (
    <div className="log__toolbar" role="search">
      <input
        type="search"
        className="log__search"
        placeholder={label}
        title="Enter: next match · Shift+Enter: previous · Escape: clear"
        aria-label={label}
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={onKey}
      />
      <span className="log__matches" aria-live="polite">
        {matchesText}
      </span>
      <button type="button" className="button button--small" disabled={!canStep} onClick={() => step(-1)} aria-label="Previous match">
        ↑
      </button>
      <button type="button" className="button button--small" disabled={!canStep} onClick={() => step(1)} aria-label="Next match">
        ↓
      </button>
      <label className="log__only">
        <input type="checkbox" checked={onlyMatches} onChange={(event) => setOnlyMatches(event.target.checked)} /> matching lines only
      </label>
    </div>
  );
});

function LogRow<L extends { text: string }>({ line, look, top, query, current }: { line: L; look: LineLook<L>; top: number; query: string; current: boolean }) {
  return (
    <div className={`log__row ${look.className(line)}${current ? ' log__row--current' : ''}`} style={{ top, height: logRowHeight }} {...look.data(line)}>
      {look.cells(line)}
      <span className="log__text">
        {splitMatches(line.text, query).map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : part.text))}
      </span>
    </div>
  );
}

/** A log that keeps only its tail fetches back the pages the operator scrolls to. */
interface RecallingLines<L> extends ReadableLines<L> {
  missing(first: number, end: number): number | null;
  recall(lines: readonly L[]): void;
}
const recalls = <L,>(log: ReadableLines<L>): log is RecallingLines<L> => 'missing' in log && 'recall' in log;

/** Rows in view that the log no longer keeps (it keeps a tail): their page is fetched, one at a time. */
function useRecall<L>(log: ReadableLines<L>, source: LogSource | undefined, range: { first: number; end: number } | null, revision: number): void {
  const [, setRecalled] = useState(0);
  const asking = useRef(false);
  const gap = range && source && recalls(log) ? log.missing(range.first, range.end) : null;
  useEffect(() => {
    if (gap === null || !source || !recalls(log) || asking.current) return;
    asking.current = true;
    const from = Math.floor(gap / logPageSize) * logPageSize;
    source
      .page(from, logPageSize)
      .then(({ lines }) => {
        log.recall(lines as unknown as readonly L[]);
        setRecalled((n) => n + 1);
      })
      .catch(() => undefined)
      .finally(() => {
        asking.current = false;
      });
  }, [gap, log, source, revision]);
}

/** Whether a tail-following view keeps to the newest line: logs and traces alike. */
export function FollowButton({ follow, setFollow }: { follow: boolean; setFollow: (on: boolean) => void }) {
  return (
    <button type="button" className={`button button--small${follow ? ' button--on' : ''}`} aria-pressed={follow} onClick={() => setFollow(!follow)}>
      Follow
    </button>
  );
}

/**
 * A log of any length (a build's, a deploy's, a boot's serial console, a
 * run's traces): only the rows in view (plus overscan) are in the DOM,
 * absolutely placed in a spacer as tall as the whole log. It follows the
 * tail while the operator is at the bottom and stops when they scroll up.
 *
 * Three lists of positions meet here: the log's lines, the `rows` a filter
 * outside keeps (all when absent), and the search's matches among those
 * rows; what is shown is either the rows or, "matching lines only", the matches.
 */
export function LogViewer<L extends { text: string }>(props: LogViewerProps<L>) {
  const { log, revision, total, loading, label = 'Build log', title = 'Log', source, rows = null, filters, noun = 'log', countTestId = 'log-count', className } = props;
  // Without a look of its own, L is a job's line (the props' type says so).
  const look = (props as CommonLogViewerProps<L> & { look?: LineLook<L> }).look ?? (jobLineLook as unknown as LineLook<L>);
  const titleId = useId();
  const [query, setQuery] = useState('');
  const [onlyMatches, setOnlyMatches] = useState(false);
  const [current, setCurrent] = useState(0);
  const search = useDeferredValue(query.trim());

  // `log` and `rows` are mutable: `revision` says they grew. A search goes on over the new lines only.
  const searched = useRef<IncrementalSearch<L> | null>(null);
  const matches = useMemo(() => (searched.current = searchOnward(searched.current, log, rows, search)).matches, [log, rows, revision, search]);
  const onlyMatching = onlyMatches && search !== '';
  const kept = rows ? rows.length : log.length;
  const count = onlyMatching ? matches.length : kept;
  const lineAt = (position: number) => (rows ? rows[position]! : position);
  const shownAt = (index: number) => lineAt(onlyMatching ? matches[index]! : index);
  const currentLine = matches.length > 0 ? lineAt(matches[Math.min(current, matches.length - 1)]!) : -1;
  const { viewport, scrollTop, height, follow, setFollow, onScroll, scrollToRow } = useFollowViewport(count, logRowHeight);

  function goToMatch(index: number): void {
    if (matches.length === 0) return;
    const wrapped = (index + matches.length) % matches.length;
    setCurrent(wrapped);
    scrollToRow(onlyMatching ? wrapped : matches[wrapped]!);
  }

  // A new search (or a new filter) jumps to its first match.
  useEffect(() => {
    setCurrent(0);
    if (search && matches.length > 0) scrollToRow(onlyMatching ? 0 : matches[0]!);
    // Only a new query moves the view; lines streaming in do not, hence the short dependency list.
  }, [search, onlyMatches, rows]);

  // The search bar's handlers stay the same functions across renders (it is memoized) and act on this render's matches.
  const latest = useRef({ goToMatch, current });
  latest.current = { goToMatch, current };
  const stepMatch = useCallback((by: number) => latest.current.goToMatch(latest.current.current + by), []);
  const onSearchKey = useCallback(
    (event: KeyboardEvent<HTMLInputElement>) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        stepMatch(event.shiftKey ? -1 : 1);
      } else if (event.key === 'Escape') {
        setQuery('');
      }
    },
    [stepMatch],
  );

  // Following a flood, every frame shows new rows: overscan there would only be rows built and dropped unseen.
  const { first, end } = visibleRange({ scrollTop, viewportHeight: height, rowHeight: logRowHeight, total: count, overscan: follow ? 2 : overscan });
  // Following, rows are keyed by their place in the window, not by line: as a flood streams past, a row's
  // elements are kept (in order, never moved) and given the new line's text, instead of every row being
  // removed and built again each frame. Scrolled back, by line: a row the operator selects stays that line's.
  const keyOf = (index: number, at: number) => (follow ? `p${index - first}` : `n${at}`);
  const visible: { index: number; at: number; line: L }[] = [];
  for (let index = first; index < end; index += 1) {
    const at = shownAt(index);
    const line = log.at(at);
    if (line) visible.push({ index, at, line });
  }
  useRecall(log, source, rows ? null : { first, end }, revision);
  const searchLabel = `Search the ${noun}`;

  return (
    <section className={className ? `log ${className}` : 'log'} aria-labelledby={titleId}>
      <header className="log__toolbar">
        <h3 id={titleId} className="panel__title">{title}</h3>
        <span className="log__count log__count--live" data-testid={countTestId}>
          {loading && total > log.length
            ? `Loading ${formatCount(log.length)} of ${lineCount(total)}…`
            : rows
              ? `${formatCount(rows.length)} of ${lineCount(log.length)}`
              : lineCount(log.length)}
        </span>
        <span className="log__grow" />
        {source && <RawLogActions source={source} />}
        <FollowButton follow={follow} setFollow={setFollow} />
      </header>
      {filters}
      <LogSearchBar
        label={searchLabel}
        query={query}
        setQuery={setQuery}
        onKey={onSearchKey}
        matchesText={search ? (matches.length > 0 ? `${formatCount(Math.min(current, matches.length - 1) + 1)} of ${formatCount(matches.length)}` : 'no match') : ''}
        canStep={matches.length > 0}
        step={stepMatch}
        onlyMatches={onlyMatches}
        setOnlyMatches={setOnlyMatches}
      />
      <div
        ref={viewport}
        className="log__viewport"
        role="region"
        aria-label={label}
        tabIndex={0}
        onScroll={onScroll}
      >
        <div className="log__spacer" style={{ height: count * logRowHeight }}>
          {visible.map(({ index, at, line }) => (
            <LogRow key={keyOf(index, at)} line={line} look={look} top={index * logRowHeight} query={search} current={at === currentLine} />
          ))}
        </div>
        {count === 0 && (
          <p className="log__empty">
            {loading ? `Loading the ${noun}…` : onlyMatching ? 'No line matches.' : rows && log.length > 0 ? 'No line matches the filter.' : 'No output yet.'}
          </p>
        )}
      </div>
      {!follow && count > 0 && (
        <button type="button" className="button button--small log__jump" onClick={() => setFollow(true)}>
          ↓ Follow the tail
        </button>
      )}
    </section>
  );
}
