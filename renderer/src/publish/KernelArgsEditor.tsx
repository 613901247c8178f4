import { useMemo, useState, type FormEvent } from 'react';
import { controlProps, Field } from './Field.js';
import { useNetboot } from './netboot-store.js';
import { usePublish } from './publish-store.js';

/** One purpose's extra kernel arguments: saved, its nodes' configs rewritten. */
function PurposeArgs({ purpose, saved }: { purpose: string; saved: string }) {
  const setArgs = useNetboot((s) => s.setArgs);
  const [text, setText] = useState(saved);
  const [error, setError] = useState<string | undefined>();
  const id = `args-${purpose}`;
  async function submit(event: FormEvent) {
    event.preventDefault();
    const outcome = await setArgs(purpose, text.trim());
    setError(outcome.ok ? undefined : outcome.message);
  }
  return (
    <form className="kernel-args__row" onSubmit={(event) => void submit(event)} aria-label={`Kernel arguments for ${purpose}`}>
      <Field id={id} label={purpose} error={error}>
        <input {...controlProps(id, error)} className="input mono" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. quiet systemd.unit=multi-user.target" />
      </Field>
      <button type="submit" className="button button--small" disabled={text.trim() === saved}>
        Save
      </button>
    </form>
  );
}

/**
 * The kernel command line per purpose: Slipway writes boot=live, fetch=,
 * the console and the version; the operator adds the rest here.
 */
export function KernelArgsEditor() {
  const entries = usePublish((s) => s.entries);
  const extraArgs = useNetboot((s) => s.status?.extraArgs ?? null);
  const purposes = useMemo(() => [...new Set(Object.values(entries).map((e) => e.purpose))].sort(), [entries]);
  if (!extraArgs || purposes.length === 0) return null;
  return (
    <details className="kernel-args">
      <summary>Kernel arguments per purpose</summary>
      <p className="muted">Added after what Slipway writes (boot=live, fetch=, console=, the version); a save rewrites the configs of the nodes that boot that purpose.</p>
      {purposes.map((purpose) => (
        <PurposeArgs key={`${purpose}:${extraArgs[purpose] ?? ''}`} purpose={purpose} saved={extraArgs[purpose] ?? ''} />
      ))}
    </details>
  );
}
