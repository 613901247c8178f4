import { useState } from 'react';
import type { HostKeyPrompt } from '../../../shared/contract/index.js';
import { hostKeyFile } from './node-format.js';
import { selectShownPrompt, useNodes } from './nodes-store.js';

function HostKeyCard({ prompt, position, count }: { prompt: HostKeyPrompt; position: number; count: number }) {
  const answer = useNodes((s) => s.answer);
  const defer = useNodes((s) => s.defer);
  const [answering, setAnswering] = useState(false);
  const reply = (accept: boolean) => {
    setAnswering(true);
    void answer(prompt.id, accept).finally(() => setAnswering(false));
  };

  return (
    <dialog open className="hostkey" aria-labelledby="hostkey-title" aria-describedby="hostkey-detail" data-prompt={prompt.id} data-node={prompt.node}>
      <header className="hostkey__header">
        <h2 id="hostkey-title" className="hostkey__title">Unknown host key</h2>
        {count > 1 && (
          <span className="hostkey__count" data-testid="hostkey-count">
            {position} of {count} waiting
          </span>
        )}
      </header>
      <p id="hostkey-detail" className="hostkey__detail">
        The authenticity of host <strong className="mono">{prompt.host}:{prompt.port}</strong> (node <strong className="mono">{prompt.node}</strong>) can't be established.
      </p>
      <dl className="hostkey__facts">
        <dt>Node</dt>
        <dd className="mono">{prompt.node}</dd>
        <dt>Address</dt>
        <dd className="mono">{prompt.host}:{prompt.port}</dd>
        <dt>Key type</dt>
        <dd className="mono">{prompt.keyType}</dd>
        <dt>Fingerprint</dt>
        <dd>
          <code className="hostkey__fingerprint" data-testid="hostkey-fingerprint">{prompt.fingerprint}</code>
        </dd>
      </dl>
      <p className="hostkey__hint">
        Compare it with what the node shows on its console (<code>ssh-keygen -lf {hostKeyFile(prompt.keyType)}</code>) before accepting. Accepting adds the key to
        known_hosts; Slipway connects to no node whose key it has not been told to trust.
      </p>
      <div className="dialog__actions">
        <button type="button" className="button button--quiet" disabled={answering} onClick={() => defer(prompt.id)}>
          Later
        </button>
        <button type="button" className="button button--danger" disabled={answering} onClick={() => reply(false)}>
          Reject
        </button>
        <button type="button" className="button button--primary" disabled={answering} onClick={() => reply(true)}>
          Accept and remember
        </button>
      </div>
    </dialog>
  );
}

/**
 * The oldest pending host-key prompt, one at a time. Not modal: a prompt comes
 * from a background poll and must not take the page from the operator, who
 * may want to look at the node first (or answer later).
 */
export function HostKeyDialog() {
  const prompt = useNodes(selectShownPrompt);
  const count = useNodes((s) => s.prompts.length);
  const position = useNodes((s) => (prompt ? s.prompts.indexOf(prompt) + 1 : 0));
  if (!prompt) return null;
  return <HostKeyCard key={prompt.id} prompt={prompt} position={position} count={count} />;
}
