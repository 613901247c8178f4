import { useState, type FormEvent } from 'react';
import type { PassphrasePrompt } from '../../../shared/contract/index.js';
import { passphraseKeptIn } from './node-format.js';
import { selectShownPassphrase, useNodes } from './nodes-store.js';

function PassphraseCard({ prompt, position, count }: { prompt: PassphrasePrompt; position: number; count: number }) {
  const answerPassphrase = useNodes((s) => s.answerPassphrase);
  const [passphrase, setPassphrase] = useState('');
  const [answering, setAnswering] = useState(false);
  const inputId = `passphrase-${prompt.id}`;

  const reply = (answer: string | null) => {
    // Out of the component's state before it travels: nothing here holds it after this.
    setPassphrase('');
    setAnswering(true);
    void answerPassphrase(prompt.id, answer).finally(() => setAnswering(false));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (passphrase !== '' && !answering) reply(passphrase);
  };

  return (
    <dialog open className="hostkey passphrase" aria-labelledby="passphrase-title" aria-describedby="passphrase-detail" data-prompt={prompt.id} data-node={prompt.node}>
      <header className="hostkey__header">
        <h2 id="passphrase-title" className="hostkey__title">Key passphrase needed</h2>
        {count > 1 && (
          <span className="hostkey__count" data-testid="passphrase-count">
            {position} of {count} waiting
          </span>
        )}
      </header>
      <p id="passphrase-detail" className="hostkey__detail">
        The private key that node <strong className="mono">{prompt.node}</strong> logs in with is encrypted: Slipway needs its passphrase to use it.
      </p>
      <dl className="hostkey__facts">
        <dt>Node</dt>
        <dd className="mono">{prompt.node}</dd>
        <dt>Key</dt>
        <dd className="mono passphrase__key" data-testid="passphrase-key">{prompt.keyPath}</dd>
      </dl>
      <form onSubmit={submit}>
        <div className="field passphrase__field">
          <label className="field__label" htmlFor={inputId}>Passphrase</label>
          <input
            id={inputId}
            type="password"
            className="input"
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="off"
            value={passphrase}
            disabled={answering}
            aria-describedby={`${inputId}-kept`}
            onChange={(event) => setPassphrase(event.target.value)}
          />
          <span id={`${inputId}-kept`} className="field__hint passphrase__kept">{passphraseKeptIn(prompt.keptIn)}</span>
        </div>
        <div className="dialog__actions">
          <button type="button" className="button button--quiet" disabled={answering} onClick={() => reply(null)}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={answering || passphrase === ''}>
            Unlock
          </button>
        </div>
      </form>
    </dialog>
  );
}

/**
 * The oldest pending passphrase prompt, one at a time, beside the host-key
 * card. Not modal, for the same reason: it comes from a background poll. The
 * passphrase lives in the card's state only until it is sent.
 */
export function PassphraseDialog() {
  const prompt = useNodes(selectShownPassphrase);
  const count = useNodes((s) => s.passphrases.length);
  if (!prompt) return null;
  return <PassphraseCard key={prompt.id} prompt={prompt} position={1} count={count} />;
}
