import { useEffect, useMemo } from 'react';
import type { AppNodeState, TraceLine, TraceStream } from '../../../shared/contract/index.js';
import { formatCount } from '../lib/format.js';
import { FollowButton, logRowHeight } from '../jobs/LogViewer.js';
import { useFollowViewport } from '../jobs/use-follow-viewport.js';
import { visibleRange } from '../lib/virtual-window.js';
import { traceStreams } from './trace-buffer.js';
import { useTraces } from './traces-store.js';

const overscan = 24;
const streamTag: Record<TraceStream, string> = { stdout: 'out', stderr: 'err', buildlog: 'build' };

function TraceRow({ line, top, colour }: { line: TraceLine; top: number; colour: number }) {
  return (
    <div className={`log__row traces__row traces__row--${line.stream}`} style={{ top, height: logRowHeight }} data-node={line.node} data-stream={line.stream}>
      <span className={`traces__node trace-c${colour}`}>{line.node}</span>
      <span className="traces__stream">{streamTag[line.stream]}</span>
      <span className="log__text">{line.text}</span>
    </div>
  );
}

function TraceFilters({ nodes, colours }: { nodes: readonly AppNodeState[]; colours: ReadonlyMap<string, number> }) {
  const filter = useTraces((s) => s.filter);
  const showNode = useTraces((s) => s.showNode);
  const toggleStream = useTraces((s) => s.toggleStream);
  return (
    <div className="log__toolbar traces__filters">
      <div className="traces__chips" role="group" aria-label="Show the traces of">
        <button type="button" className="traces__chip" aria-pressed={filter.node === null} onClick={() => showNode(null)}>
          All nodes
        </button>
        {nodes.map(({ node }) => (
          <button
            key={node}
            type="button"
            className={`traces__chip traces__chip--node trace-c${colours.get(node) ?? 0}`}
            aria-pressed={filter.node === node}
            onClick={() => showNode(filter.node === node ? null : node)}
          >
            {node}
          </button>
        ))}
      </div>
      <span className="log__grow" />
      <div className="traces__chips" role="group" aria-label="Streams">
        {traceStreams.map((stream) => (
          <button key={stream} type="button" className="traces__chip" aria-pressed={filter.streams.includes(stream)} onClick={() => toggleStream(stream)}>
            {stream}
          </button>
        ))}
      </div>
    </div>
  );
}

/**
 * Every node's stdout, stderr and build log merged as they stream, each node
 * in its colour; virtualized like the build log, so 100,000 lines scroll as
 * smoothly as 100, and following the tail until the operator scrolls up.
 */
export function TracePanel({ runId, nodes, colours }: { runId: string; nodes: readonly AppNodeState[]; colours: ReadonlyMap<string, number> }) {
  const open = useTraces((s) => s.open);
  const buffer = useTraces((s) => s.buffer);
  const revision = useTraces((s) => s.revision);
  const total = useTraces((s) => s.total);
  const loading = useTraces((s) => s.loading);
  const filter = useTraces((s) => s.filter);
  const error = useTraces((s) => s.error);

  useEffect(() => open(runId), [open, runId]);

  // The buffer is mutable: `revision` says it grew, and the filtered rows are extended, not recomputed.
  const rows = useMemo(() => buffer.rows(filter), [buffer, revision, filter]);
  const count = rows ? rows.length : buffer.length;
  const { viewport, scrollTop, height, follow, setFollow, onScroll } = useFollowViewport(count, logRowHeight);

  const { first, end } = visibleRange({ scrollTop, viewportHeight: height, rowHeight: logRowHeight, total: count, overscan });
  const visible: { index: number; at: number; line: TraceLine }[] = [];
  for (let index = first; index < end; index += 1) {
    const at = rows ? rows[index]! : index;
    const line = buffer.at(at);
    if (line) visible.push({ index, at, line });
  }
  const filtered = rows !== null;

  return (
    <section className="log traces" aria-labelledby="traces-title">
      <header className="log__toolbar">
        <h3 id="traces-title" className="panel__title">Live traces</h3>
        <span className="log__count" data-testid="trace-count">
          {loading && total > buffer.length
            ? `Loading ${formatCount(buffer.length)} of ${formatCount(total)} lines…`
            : filtered
              ? `${formatCount(count)} of ${formatCount(buffer.length)} lines`
              : `${formatCount(buffer.length)} lines`}
        </span>
        <span className="log__grow" />
        <FollowButton follow={follow} setFollow={setFollow} />
      </header>
      <TraceFilters nodes={nodes} colours={colours} />
      {error && (
        <div className="alert" role="alert">
          {error}
        </div>
      )}
      <div ref={viewport} className="log__viewport" role="region" aria-label="Application traces" tabIndex={0} onScroll={onScroll}>
        <div className="log__spacer" style={{ height: count * logRowHeight }}>
          {visible.map(({ index, at, line }) => (
            <TraceRow key={at} line={line} top={index * logRowHeight} colour={colours.get(line.node) ?? 0} />
          ))}
        </div>
        {count === 0 && <p className="log__empty">{loading ? 'Loading the traces…' : filtered ? 'No line matches the filter.' : 'No output yet.'}</p>}
      </div>
      {!follow && count > 0 && (
        <button type="button" className="button button--small log__jump" onClick={() => setFollow(true)}>
          ↓ Follow the tail
        </button>
      )}
    </section>
  );
}
