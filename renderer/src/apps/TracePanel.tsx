import { useEffect, useMemo } from 'react';
import type { AppNodeState, TraceLine, TraceStream } from '../../../shared/contract/index.js';
import { backend } from '../connection/backend.js';
import type { LogSource } from '../jobs/log-download.js';
import { LogViewer, type LineLook } from '../jobs/LogViewer.js';
import { traceStreams } from './trace-buffer.js';
import { useTraces } from './traces-store.js';

const streamTag: Record<TraceStream, string> = { stdout: 'out', stderr: 'err', buildlog: 'build' };

/** A trace line's row: the node in its colour, then its stream. */
function traceLook(colours: ReadonlyMap<string, number>): LineLook<TraceLine> {
  return {
    className: (line) => `traces__row traces__row--${line.stream}`,
    cells: (line) => (
      <>
        <span className={`traces__node trace-c${colours.get(line.node) ?? 0}`}>{line.node}</span>
        <span className="traces__stream">{streamTag[line.stream]}</span>
      </>
    ),
    data: (line) => ({ 'data-node': line.node, 'data-stream': line.stream }),
  };
}

/** The run's traces as raw text, every node's lines merged, each said whose and which stream it is. */
function traceSource(runId: string): LogSource {
  return {
    async page(from, count) {
      const { lines, total } = await backend().request('apps.traces', { id: runId, from, count });
      return { lines: lines.map((line) => ({ text: `${line.node} ${line.stream}: ${line.text}` })), total };
    },
    fileName: `traces-${runId}.log`,
  };
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
 * in its colour: the log viewer of builds and deploys (virtualized, searched,
 * tail-following, downloadable), with the node and stream chips as its filter.
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
  const look = useMemo(() => traceLook(colours), [colours]);
  const source = useMemo(() => traceSource(runId), [runId]);

  return (
    <LogViewer
      key={runId}
      log={buffer}
      revision={revision}
      total={total}
      loading={loading}
      rows={rows}
      look={look}
      source={source}
      title="Live traces"
      label="Application traces"
      noun="traces"
      countTestId="trace-count"
      className="traces"
      filters={
        <>
          <TraceFilters nodes={nodes} colours={colours} />
          {error && (
            <div className="alert" role="alert">
              {error}
            </div>
          )}
        </>
      }
    />
  );
}
