import { memo } from 'react';
import type { LogLine } from './container-log-lines.js';
import { selectLogError, selectLogInstance, selectLogLines, selectLogPhase, selectLogRotations, useContainerLog } from './container-log-store.js';
import { useFollowTail } from './use-follow-tail.js';

const LogRow = memo(function LogRow({ line }: { line: LogLine }) {
  if (line.rotated) return <div className="clog__rotation" data-testid="log-rotation">log rotated: s6-log began a new current</div>;
  return (
    <div className="clog__line">
      {line.stamp !== null && (line.at ? <time className="clog__time" dateTime={line.at}>{line.stamp}</time> : <span className="clog__time clog__time--raw">{line.stamp}</span>)}
      <span className="clog__text">{line.text}</span>
    </div>
  );
});

function LogMeta({ count }: { count: number }) {
  const phase = useContainerLog(selectLogPhase);
  const rotations = useContainerLog(selectLogRotations);
  const lines = `${count.toLocaleString('en')} line${count === 1 ? '' : 's'}`;
  return (
    <>
      {rotations > 0 && <span className="clog__rotated" data-testid="log-rotated">log rotated</span>}
      <span className="panel__meta" data-testid="log-count" data-phase={phase}>
        {phase === 'reading' ? 'Reading the log…' : `${lines}${phase === 'live' ? ' · live' : ''}`}
      </span>
    </>
  );
}

/** The container's s6-log, tailed live (the store polls while the detail is open); it follows the end unless the operator scrolled up. */
export function ContainerLog({ instance }: { instance: string }) {
  const held = useContainerLog(selectLogInstance);
  const all = useContainerLog(selectLogLines);
  const error = useContainerLog(selectLogError);
  const loaded = useContainerLog((s) => s.loaded);
  // Lines of the container shown before, until this one's first read replaces them.
  const lines = held === instance ? all : [];
  const { viewport, following, onScroll, toEnd } = useFollowTail(lines.at(-1)?.id ?? null);

  return (
    <section className="clog" aria-labelledby="clog-title" data-instance={held ?? ''}>
      <header className="panel__header">
        <h3 id="clog-title" className="panel__title">Log</h3>
        <span className="node__grow" />
        <LogMeta count={lines.filter((l) => !l.rotated).length} />
      </header>
      {error && (
        <div className="alert" role="alert">
          {error}
        </div>
      )}
      <div ref={viewport} className="clog__viewport" role="log" aria-label="Container log" tabIndex={0} onScroll={onScroll}>
        {lines.length === 0 && loaded ? <p className="panel__empty">Nothing logged yet: its service has not written to log/main/current.</p> : lines.map((line) => <LogRow key={line.id} line={line} />)}
      </div>
      {!following && (
        <button type="button" className="button button--small clog__end" onClick={toEnd}>
          Follow the end
        </button>
      )}
    </section>
  );
}
