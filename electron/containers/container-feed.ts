import { maxDeltaRows, type ContainerDelta, type ContainerRow, type ContainerScanMeta } from '../../shared/contract/containers.js';
import { SlipwayError } from '../../shared/contract/errors.js';
import type { ClientContext } from '../backend/client-context.js';
import { deltaSize, type RowDelta } from './scan-delta.js';

/**
 * Who follows which Treadmill nodes, and what each was sent: per client and
 * node a sequence number, a snapshot first, then deltas. The same for the
 * real and the mocked backend: each hands over a node's rows and what
 * changed in them after a scan; the feed decides what each client gets.
 */

interface Subscription {
  client: ClientContext;
  /** Null: every Treadmill node. */
  nodes: Set<string> | null;
  /** Last sequence number sent, per node; a node absent has had no snapshot yet. */
  seq: Map<string, number>;
  stop: () => void;
}

/** A subscription belongs to a connected client: an in-process caller has none to send to. */
export function subscriber(client: ClientContext | undefined): ClientContext {
  if (!client) throw new SlipwayError('bad_request', 'containers.subscribe needs a connected client (a console window or WebSocket)');
  return client;
}

export interface NodeRows {
  meta: ContainerScanMeta;
  rows: () => ContainerRow[];
}

export function createContainerFeed() {
  const subscriptions = new Map<string, Subscription>();

  const follows = (sub: Subscription, node: string) => sub.nodes === null || sub.nodes.has(node);

  function send(sub: Subscription, node: string, payload: (seq: number) => ContainerDelta): void {
    const seq = (sub.seq.get(node) ?? 0) + 1;
    sub.seq.set(node, seq);
    sub.client.send('containers.delta', payload(seq));
  }

  const snapshot = (sub: Subscription, node: string, held: NodeRows) => send(sub, node, (seq) => ({ node, seq, snapshot: { ...held.meta, rows: held.rows() } }));

  return {
    /**
     * A client follows these nodes (null: every Treadmill node) from now on;
     * `held` gives what is known of a node already (its snapshot goes at once).
     * Subscribing again replaces the nodes followed and sends fresh snapshots.
     */
    subscribe(client: ClientContext, nodes: readonly string[] | null, held: (node: string) => NodeRows | null, known: readonly string[]): void {
      subscriptions.get(client.id)?.stop();
      const sub: Subscription = { client, nodes: nodes ? new Set(nodes) : null, seq: new Map(), stop: () => undefined };
      const off = client.onGone(() => subscriptions.delete(client.id));
      sub.stop = () => {
        off();
        subscriptions.delete(client.id);
      };
      subscriptions.set(client.id, sub);
      for (const node of known) {
        const rows = follows(sub, node) ? held(node) : null;
        if (rows) snapshot(sub, node, rows);
      }
    },

    unsubscribe(client: ClientContext): boolean {
      const sub = subscriptions.get(client.id);
      sub?.stop();
      return sub !== undefined;
    },

    /** The nodes some client follows (`all` when one follows every node): the ones to poll. */
    followed(): Set<string> | 'all' {
      const nodes = new Set<string>();
      for (const sub of subscriptions.values()) {
        if (sub.nodes === null) return 'all';
        for (const node of sub.nodes) nodes.add(node);
      }
      return nodes;
    },

    /**
     * A node was scanned: `delta` is what changed against the rows held before.
     * A client that has had no snapshot of it gets one; a delta past
     * `maxDeltaRows` goes as a snapshot too (cheaper to apply whole). An empty
     * delta goes too: a few hundred bytes that say when the node was last read.
     */
    scanned(node: string, held: NodeRows, delta: RowDelta): void {
      const size = deltaSize(delta);
      for (const sub of subscriptions.values()) {
        if (!follows(sub, node) || sub.client.gone) continue;
        if (!sub.seq.has(node) || size > maxDeltaRows) snapshot(sub, node, held);
        else send(sub, node, (seq) => ({ node, seq, scan: held.meta, added: delta.added, changed: delta.changed, removed: delta.removed }));
      }
    },

    get size() {
      return subscriptions.size;
    },
  };
}

export type ContainerFeed = ReturnType<typeof createContainerFeed>;
