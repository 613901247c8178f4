import { useEffect, useRef } from 'react';
import { formatTime } from '../lib/format.js';
import { useContainerTrace } from './container-trace-store.js';

/** Lines that say a container went wrong stand out. */
const alarming = new Set(['killed', 'aborted']);

/** The instance's events oldest first, as `treadmill trace` prints them; lines published by later scans are added as they come. */
export function EventTimeline({ instance }: { instance: string }) {
  const lines = useContainerTrace((s) => s.lines);
  const loading = useContainerTrace((s) => s.loading);
  const error = useContainerTrace((s) => s.error);
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
        <p className="panel__empty">No events for {instance} on this node.</p>
      ) : (
        <ol ref={list} className="ctimeline__list" aria-label="Event timeline">
          {lines.map((line) => (
            <li key={`${line.at}\0${line.type}\0${line.text}`} className={`ctimeline__line${alarming.has(line.type) ? ' ctimeline__line--bad' : ''}`} data-type={line.type}>
              <time className="ctimeline__time" dateTime={line.at}>{formatTime(line.at)}</time>
              <span className="ctimeline__text">{line.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
