import { useEffect, useRef } from 'react';
import { formatTime } from '../lib/format.js';

/** Lines that say a container went wrong stand out. */
const alarming = new Set(['killed', 'aborted']);

export interface TimelineLine {
  /** Unique within the timeline. */
  key: string;
  /** An ISO time or milliseconds since the epoch. */
  at: string | number;
  type: string;
  text: string;
}

interface EventTimelineProps {
  lines: readonly TimelineLine[];
  loading: boolean;
  error: string | null;
  /** What an empty timeline says. */
  empty: string;
}

/**
 * An instance's events oldest first, as `treadmill trace` prints them; lines
 * that come later are added as they come. The same timeline for a container
 * read from its node and for an app read from its cell.
 */
export function EventTimeline({ lines, loading, error, empty }: EventTimelineProps) {
  const list = useRef<HTMLOListElement>(null);

  // The newest line is the one an operator waits for: keep it in sight as lines arrive.
  useEffect(() => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [lines.length]);

  return (
    <section className="ctimeline" aria-labelledby="ctimeline-title">
      <header className="panel__header">
        <h3 id="ctimeline-title" className="panel__title">Event timeline</h3>
        <span className="panel__meta" data-testid="timeline-count">
          {loading && lines.length === 0 ? 'Reading the events…' : `${lines.length} event${lines.length === 1 ? '' : 's'} · live`}
        </span>
      </header>
      {error && (
        <div className="alert" role="alert">
          {error}
        </div>
      )}
      {lines.length === 0 && !loading && !error ? (
        <p className="panel__empty">{empty}</p>
      ) : (
        <ol ref={list} className="ctimeline__list" aria-label="Event timeline">
          {lines.map((line) => (
            <li key={line.key} className={`ctimeline__line${alarming.has(line.type) ? ' ctimeline__line--bad' : ''}`} data-type={line.type}>
              <time className="ctimeline__time" dateTime={new Date(line.at).toISOString()}>{formatTime(line.at)}</time>
              <span className="ctimeline__text">{line.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
