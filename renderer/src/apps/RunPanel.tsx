import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { formatBytes, formatCount, formatDuration, formatTime } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';
import { selectSelectedRun, useApps, type RunNotice } from './apps-store.js';
import { RunOutcomeBadge } from './AppStatusBadge.js';
import { BuildTree } from './BuildTree.js';
import { NodeOutcomes } from './NodeOutcomes.js';
import { PhaseMatrix } from './PhaseMatrix.js';
import { colourIndex, failedNodes, runOutcome, stoppableNodes } from './run-view.js';
import { StopDialog } from './StopDialog.js';
import { TracePanel } from './TracePanel.js';

function NoticeView({ notice }: { notice: RunNotice }) {
  switch (notice.kind) {
    case 'retrying':
      return <p className="notice" role="status" data-notice="retrying">{notice.nodes.length > 0 ? `Retrying ${notice.nodes.join(', ')}.` : 'No failed node to retry.'}</p>;
    case 'stopped':
      return <p className="notice" role="status" data-notice="stopped">{notice.nodes.length > 0 ? `Stopped ${notice.nodes.join(', ')}.` : 'Nothing was running any more.'}</p>;
    case 'download': {
      const { dir, files, bytes } = notice.download;
      return (
        <p className="notice" role="status" data-notice="download">
          <span>
            Results downloaded into <code data-testid="download-dir">{dir}</code>: {formatCount(files)} file{files === 1 ? '' : 's'}, {formatBytes(bytes)}.
          </span>
        </p>
      );
    }
  }
}

/** The selected run: its actions, the nodes × phases matrix, the build tree, each node's result, and the live traces. */
export function RunPanel() {
  const selected = useApps((s) => s.selected);
  const run = useApps(selectSelectedRun);
  const checked = useApps((s) => s.checked);
  const notice = useApps((s) => s.notice);
  const busy = useApps((s) => s.busy);
  const stop = useApps((s) => s.stop);
  const retryFailed = useApps((s) => s.retryFailed);
  const download = useApps((s) => s.download);
  const [confirming, setConfirming] = useState<{ nodes: string[]; whole: boolean } | null>(null);
  const nodes = selected?.nodes ?? null;
  const colours = useMemo(() => colourIndex(nodes ?? []), [nodes]);
  const now = useNow(run?.active ?? false, 1000);
  const reveal = useApps((s) => s.reveal);
  const revealed = useApps((s) => s.revealed);
  const traces = useRef<HTMLDivElement>(null);

  // After Deploy: the traces sit far below the deploy form, so the page goes to them (once, when they are rendered).
  const ready = run !== null && nodes !== null && selected?.definition != null;
  useLayoutEffect(() => {
    if (!ready || reveal !== run.id || !traces.current) return;
    traces.current.scrollIntoView({ block: 'nearest' });
    revealed();
  }, [ready, reveal, run?.id, revealed]);

  if (!selected) return <div className="empty">Deploy a definition, or pick a run, to follow its nodes here.</div>;
  if (!run || !nodes || !selected.definition) return <div className="panel panel--loading">Loading run {selected.id}…</div>;

  const stoppable = stoppableNodes(nodes);
  const failed = failedNodes(nodes);
  const ticked = checked.filter((n) => stoppable.includes(n));
  const lastChange = nodes.reduce((latest, n) => (n.updatedAt > latest ? n.updatedAt : latest), run.startedAt);

  return (
    <section className="panel app-run" aria-labelledby="run-title" data-run={run.id} data-active={run.active}>
      <header className="build__header">
        <div className="build__heading">
          <h2 id="run-title" className="build__name">{run.app}</h2>
          <RunOutcomeBadge outcome={runOutcome(run)} />
        </div>
        <dl className="facts">
          <div><dt>Run</dt><dd className="mono">{run.id}</dd></div>
          <div><dt>Started</dt><dd>{formatTime(run.startedAt)}</dd></div>
          <div><dt>Took</dt><dd className="mono">{formatDuration((run.active ? now : Date.parse(lastChange)) - Date.parse(run.startedAt))}</dd></div>
          <div><dt>Definition</dt><dd className="mono">{run.definitionHash}</dd></div>
        </dl>
      </header>
      <div className="toolbar app-run__actions">
        <button
          type="button"
          className="button button--danger"
          disabled={stoppable.length === 0 || busy}
          onClick={() => setConfirming(ticked.length > 0 ? { nodes: ticked, whole: false } : { nodes: stoppable, whole: true })}
        >
          {ticked.length > 0 ? `Stop ${ticked.length} selected` : 'Stop the run'}
        </button>
        <button type="button" className="button" disabled={failed.length === 0 || busy} aria-describedby="retry-which" onClick={() => void retryFailed()}>
          Retry failed nodes
        </button>
        <span id="retry-which" className="toolbar__meta mono">{failed.length > 0 ? failed.join(', ') : 'no failed node'}</span>
        <span className="toolbar__grow" />
        <button type="button" className="button" disabled={busy} onClick={() => void download()}>
          Download results
        </button>
      </div>
      {notice && <NoticeView notice={notice} />}
      {confirming && (
        <StopDialog
          app={run.app}
          nodes={confirming.nodes}
          whole={confirming.whole}
          graceSeconds={selected.definition.timeouts.stop}
          onStop={() => void stop(confirming.whole ? undefined : confirming.nodes)}
          onClose={() => setConfirming(null)}
        />
      )}
      <PhaseMatrix nodes={nodes} colours={colours} stoppable={stoppable} />
      <div className="app-run__below">
        <BuildTree nodes={nodes} edges={selected.buildTree} builds={selected.definition.build.trim() !== ''} />
        <NodeOutcomes nodes={nodes} />
      </div>
      <div ref={traces} className="app-run__traces">
        <TracePanel runId={run.id} nodes={nodes} colours={colours} />
      </div>
    </section>
  );
}
