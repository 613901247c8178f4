import { useMemo } from 'react';
import { buildSteps, type BuildSummary } from '../../../shared/contract/index.js';
import { useBuilds } from './builds-store.js';

const tailLength = 20;

/** Why a build stopped, above everything else: the step, the error and that step's last lines. */
export function FailureSummary({ build }: { build: BuildSummary }) {
  const log = useBuilds((s) => s.log);
  const revision = useBuilds((s) => s.logRevision);
  const loading = useBuilds((s) => s.logLoading);
  const step = build.failedStep;
  // The revision is what changes when the (mutable) log grows.
  const tail = useMemo(() => (step ? log.tail(tailLength, (line) => line.step === step) : []), [log, revision, step]);
  const label = buildSteps.find((s) => s.id === step)?.label ?? step ?? 'an unknown step';
  const cancelled = build.status === 'cancelled';

  return (
    <section className={`failure${cancelled ? ' failure--cancelled' : ''}`} aria-labelledby="failure-title" data-failed-step={step ?? undefined}>
      <h3 id="failure-title" className="failure__title">
        {cancelled ? 'Cancelled during' : 'Failed at'} <span className="failure__step">{label}</span>
      </h3>
      {build.error && <p className="failure__error mono">{build.error}</p>}
      {tail.length > 0 ? (
        <ol className="failure__lines" aria-label="Last lines of the failed step">
          {tail.map((line) => (
            <li key={line.n} className={`failure__line failure__line--${line.stream}`} value={line.n + 1}>
              <span className="failure__n">{line.n + 1}</span>
              <span className="failure__text">{line.text}</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">{loading ? 'Loading the log…' : 'The step wrote no output.'}</p>
      )}
    </section>
  );
}
