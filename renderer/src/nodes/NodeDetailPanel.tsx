import type { NodeSpec, NodeStatus } from '../../../shared/contract/index.js';
import { formatBytes, formatTime } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';
import { Fact } from '../shell/Fact.js';
import { formatAgo, formatLatency, formatUptime, knownHostsName, usageOf } from './node-format.js';
import { NodeStateBadge, UsageBar } from './NodeStateBadge.js';
import { Labels } from './NodeTable.js';
import { selectOpenStatus, useNodes } from './nodes-store.js';
import { useTerminals } from '../terminal/terminals-store.js';
import { BuildHostReadiness, buildHostLabel } from './BuildHostReadiness.js';

/** What the state asks of the operator, when it asks anything. */
function StateCallout({ status }: { status: NodeStatus }) {
  const prompt = useNodes((s) => s.prompts.find((p) => p.node === status.spec.name) ?? null);
  const deferred = useNodes((s) => (prompt ? s.deferred.includes(prompt.id) : false));
  const reviewPrompts = useNodes((s) => s.reviewPrompts);
  const keyWaits = useNodes((s) => s.passphrases.some((p) => p.keyPath === status.spec.identity));
  const { spec } = status;
  if (status.state === 'auth-failed' && keyWaits) {
    return (
      <div className="callout callout--warn" data-callout="passphrase">
        <p>
          The key <code className="callout__code">{spec.identity}</code> is encrypted: Slipway waits for its passphrase before it logs in.
        </p>
      </div>
    );
  }
  if (status.state === 'host-key-changed') {
    return (
      <div className="callout callout--bad" data-callout="host-key-changed">
        <p>The host key changed. Slipway refuses to connect; check the node, then remove its old entry from known_hosts.</p>
        <p className="muted">
          After checking, <code className="callout__code">ssh-keygen -R '{knownHostsName(spec.host, spec.port)}'</code> removes it; the next poll asks for the new key.
        </p>
      </div>
    );
  }
  if (status.state !== 'host-key-unknown') return null;
  return (
    <div className="callout callout--warn" data-callout="host-key-unknown">
      {prompt ? (
        <>
          <p>The host key of this node is not known yet: Slipway waits for your answer before it connects.</p>
          {deferred && (
            <button type="button" className="button button--small" onClick={reviewPrompts}>
              Review the host key
            </button>
          )}
        </>
      ) : (
        <p>The host key is not trusted: Slipway does not connect to this node.</p>
      )}
    </div>
  );
}

interface NodeDetailPanelProps {
  onEdit(spec: NodeSpec): void;
}

/** The clicked node: what its last poll read, how it is reached, and what went wrong lately. */
export function NodeDetailPanel({ onEdit }: NodeDetailPanelProps) {
  const status = useNodes(selectOpenStatus);
  const polling = useNodes((s) => s.polling);
  const poll = useNodes((s) => s.poll);
  const openNode = useNodes((s) => s.openNode);
  const now = useNow(status !== null, 1000);

  if (!status) return <p className="nodes__hint muted">Click a node to see its facts, latency and recent errors.</p>;
  const { spec, state, facts, lastSeen, errors } = status;
  const usage = facts ? usageOf(facts) : null;
  const used = (part: number, whole: number) => `${formatBytes(part)} of ${formatBytes(whole)}`;
  // The bar stops at 100 %; the number says how far past it an overloaded node is.
  const perCpu = facts ? `${Math.round((100 * facts.load[0]) / facts.cpus)}% of ${facts.cpus} CPUs` : '';

  return (
    <section className="panel node" aria-labelledby="node-title" data-node={spec.name} data-state={state}>
      <header className="node__header">
        <h2 id="node-title" className="node__name">{spec.name}</h2>
        <NodeStateBadge state={state} />
        <span className="node__grow" />
        <button type="button" className="button button--small" disabled={polling} onClick={() => void poll([spec.name])}>
          Poll this node
        </button>
        <button type="button" className="button button--small" onClick={() => useTerminals.getState().open(spec.name)}>
          Terminal
        </button>
        <button type="button" className="button button--small" onClick={() => onEdit(spec)}>
          Edit
        </button>
        <button type="button" className="button button--small button--quiet" aria-label="Close the detail" onClick={() => openNode(null)}>
          ✕
        </button>
      </header>
      <StateCallout status={status} />
      <div className="node__groups">
        <dl className="node__facts" aria-label="Connection">
          <Fact term="Address"><span className="mono">{spec.user}@{spec.host}:{spec.port}</span></Fact>
          <Fact term="Identity"><span className="mono">{spec.identity ?? 'agent and default keys'}</span></Fact>
          <Fact term="Jump">{spec.jump ? <span className="mono">{spec.jump}</span> : 'direct'}</Fact>
          <Fact term="Latency"><span className="mono">{formatLatency(status.latencyMs)}</span></Fact>
          <Fact term="Last seen">
            {formatAgo(lastSeen, now)}
            {lastSeen && <span className="muted"> · {formatTime(lastSeen)}</span>}
          </Fact>
          <Fact term="Labels">{spec.labels.length > 0 ? <Labels labels={spec.labels} /> : <span className="muted">none</span>}</Fact>
          {status.probe && (
            <Fact term="Health read">
              <span data-probe={status.probe.via}>
                {status.probe.via === 'sftp' ? 'Health read over SFTP' : `Health read over a shell: ${status.probe.reason ?? 'SFTP was not used'}`}
              </span>
            </Fact>
          )}
        </dl>
        {facts && usage ? (
          <dl className="node__facts" aria-label="System">
            <Fact term="Hostname"><span className="mono">{facts.hostname}</span></Fact>
            <Fact term="OS">{facts.osRelease}</Fact>
            <Fact term="Kernel"><span className="mono">{facts.kernel}</span></Fact>
            <Fact term="CPUs">{facts.cpus}</Fact>
            <Fact term="Uptime">{formatUptime(facts.uptimeSeconds)}</Fact>
            <Fact term="Load 1 / 5 / 15 min">
              <span className="mono">{facts.load.map((l) => l.toFixed(2)).join(' / ')}</span>
              <UsageBar usage={{ ...usage.load, text: perCpu }} label="Load per CPU" detail={perCpu} />
            </Fact>
            <Fact term="Memory">
              <span>{used(facts.memTotalBytes - facts.memAvailableBytes, facts.memTotalBytes)}</span>
              <UsageBar usage={usage.memory} label="Memory in use" detail={`${usage.memory.percent}% in use`} />
            </Fact>
            <Fact term="Root disk">
              <span>{used(facts.rootDiskUsedBytes, facts.rootDiskTotalBytes)}</span>
              <UsageBar usage={usage.disk} label="Root disk in use" detail={`${usage.disk.percent}% used`} />
            </Fact>
          </dl>
        ) : (
          <p className="node__nofacts muted">
            {lastSeen ? `No facts: the node last answered ${formatAgo(lastSeen, now)}.` : 'No facts yet: the node has not answered a health poll.'}
          </p>
        )}
      </div>
      {spec.labels.includes(buildHostLabel) && <BuildHostReadiness node={spec.name} />}
      <section className="node__errors" aria-labelledby="node-errors-title">
        <h3 id="node-errors-title" className="panel__title">Recent errors</h3>
        {errors.length === 0 ? (
          <p className="panel__empty">None.</p>
        ) : (
          <ol className="node__error-list" aria-label="Recent errors">
            {errors.map((error, index) => (
              <li key={`${error.at}-${index}`} className="node__error">
                <time className="node__error-time" dateTime={error.at}>{formatTime(error.at)}</time>
                <span className="mono">{error.message}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </section>
  );
}
