import { useEffect } from 'react';
import type { ContainerEventLine, ContainerRow } from '../../../shared/contract/index.js';
import { lastResult } from '../lib/last-result.js';
import { formatTime } from '../lib/format.js';
import { Fact } from '../shell/Fact.js';
import { useNow } from '../lib/use-now.js';
import { Labels } from '../nodes/NodeTable.js';
import { exitFacts, formatAge, notEnded } from './container-format.js';
import { ActionRefusal, ContainerActions, ShellButton } from './ContainerActions.js';
import { ContainerLog } from './ContainerLog.js';
import { useContainerLog } from './container-log-store.js';
import { useContainerTrace } from './container-trace-store.js';
import { ContainerStateBadge, CleanupMarker, NodeMarkers } from './ContainerStateBadge.js';
import { selectSelectedRow, useContainers } from './containers-store.js';
import { EventTimeline, type TimelineLine } from './EventTimeline.js';

const orNone = (value: string | null) => (value === null ? <span className="muted">—</span> : <span className="mono">{value}</span>);

function ContainerFacts({ row }: { row: ContainerRow }) {
  const now = useNow(true, 1000);
  return (
    <dl className="node__facts cdetail__facts" aria-label="Container facts">
      <Fact term="Node" col="node"><span className="mono">{row.node}</span></Fact>
      <Fact term="App"><span className="mono">{row.app}</span></Fact>
      <Fact term="Unique name" col="unique">{row.unique === null ? <span className="muted">none yet: placed, not configured</span> : <span className="mono">{row.unique}</span>}</Fact>
      <Fact term="Proid"><span className="mono">{row.proid}</span></Fact>
      <Fact term="State" col="state">
        <ContainerStateBadge row={row} />
        <CleanupMarker row={row} />
        <NodeMarkers row={row} />
      </Fact>
      <Fact term="Exit" col="summary">{notEnded(row) ? <span className="muted">not ended</span> : <span className="mono">{row.summary}</span>}</Fact>
      {exitFacts(row) && (
        <Fact term="Exit recorded" col="exit">
          <span className="mono">{exitFacts(row)}</span>
          {row.exitedAt !== null && <span className="muted"> · {formatTime(row.exitedAt * 1000)}</span>}
        </Fact>
      )}
      {row.state === 'aborted' && (
        <Fact term="Abort" col="aborted">
          <span className="mono">{row.reason ?? 'unknown'}</span>
          {row.abortedPayload !== null && row.abortedPayload !== undefined && <pre className="cdetail__payload mono">{typeof row.abortedPayload === 'string' ? row.abortedPayload : JSON.stringify(row.abortedPayload, null, 2)}</pre>}
        </Fact>
      )}
      <Fact term="Memory">{orNone(row.memory)}</Fact>
      <Fact term="CPU">{orNone(row.cpu)}</Fact>
      <Fact term="Disk">{orNone(row.disk)}</Fact>
      <Fact term="Environment">{orNone(row.environment)}</Fact>
      <Fact term="Services">{row.services.length > 0 ? <Labels labels={row.services} /> : <span className="muted">none known</span>}</Fact>
      <Fact term="Changed" col="age">
        {formatAge(row.changedAt, now)} ago<span className="muted"> · {formatTime(row.changedAt)}</span>
      </Fact>
    </dl>
  );
}

const asTimeline = (lines: readonly ContainerEventLine[]): TimelineLine[] => lines.map((line) => ({ key: `${line.at}\0${line.type}\0${line.text}`, at: line.at, type: line.type, text: line.text }));
const timelineOf = lastResult(asTimeline);

function ContainerTimeline({ instance }: { instance: string }) {
  const lines = useContainerTrace((s) => timelineOf(s.lines));
  const loading = useContainerTrace((s) => s.loading);
  const error = useContainerTrace((s) => s.error);
  return <EventTimeline lines={lines} loading={loading} error={error} empty={`No events for ${instance} on this node.`} />;
}

/** The selected container: what its directory says, its problems, its event timeline and its log, live. */
export function ContainerDetail() {
  const selected = useContainers((s) => s.selected);
  const row = useContainers(selectSelectedRow);
  const select = useContainers((s) => s.select);
  const open = useContainerTrace((s) => s.open);
  const node = selected?.node ?? null;
  const instance = selected?.instance ?? null;

  const follow = useContainerLog((s) => s.follow);
  const stopLog = useContainerLog((s) => s.stop);
  const present = row !== null;
  const hasDirectory = row !== null && row.unique !== null && row.state !== 'archived';

  useEffect(() => open(node !== null && instance !== null ? { node, instance } : null), [open, node, instance]);
  // Tailed while it is on its node; once gone its log cannot be read, and what was read stays.
  useEffect(() => {
    if (node === null || instance === null) follow(null);
    // A placed instance has no directory yet and an archived one none any more: no log to tail.
    else if (present && hasDirectory) follow({ node, instance });
    else stopLog();
  }, [follow, stopLog, node, instance, present, hasDirectory]);
  useEffect(() => stopLog, [stopLog]);

  if (!selected) return <p className="containers__hint muted">Select a container to see its facts and its event timeline.</p>;
  return (
    <section className="panel cdetail" aria-labelledby="cdetail-title" data-unique={selected.unique ?? undefined} data-state={row?.state ?? (selected.listing ? 'listing' : 'gone')}>
      <header className="node__header">
        <h2 id="cdetail-title" className="node__name">{selected.instance}</h2>
        {row && <ContainerStateBadge row={row} />}
        <span className="node__grow" />
        {row && <ShellButton row={row} />}
        {row && <ContainerActions row={row} />}
        <button type="button" className="button button--small button--quiet" aria-label="Close the detail" onClick={() => select(null)}>
          ✕
        </button>
      </header>
      {row && <ActionRefusal row={row} />}
      {!row && selected.listing && (
        <div className="callout" data-callout="listing" role="status">
          <p>
            Configured on {selected.node}; waiting for its next scan to list <code className="callout__code">{selected.unique}</code>.
          </p>
        </div>
      )}
      {!row && !selected.listing && (
        <div className="callout" data-callout="gone">
          <p>
            This container is no longer on {selected.node}: Treadmill cleaned up <code className="callout__code">{selected.unique}</code>. Its events stay below.
          </p>
        </div>
      )}
      {row && row.problems.length > 0 && (
        <div className="callout callout--bad" data-callout="problems">
          <p>Some of its files could not be read:</p>
          <ul className="cdetail__problems" aria-label="Container problems">
            {row.problems.map((problem) => (
              <li key={problem} className="mono">{problem}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="cdetail__body">
        {row && <ContainerFacts row={row} />}
        <ContainerTimeline instance={selected.instance} />
      </div>
      {/* Placed (no directory yet) or archived (none any more): there is no log on the node to show. */}
      {(row === null || hasDirectory) && <ContainerLog key={selected.instance} instance={selected.instance} />}
    </section>
  );
}
