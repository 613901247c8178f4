import { useId } from 'react';
import type { StepState, StepStatus } from '../../../shared/contract/index.js';
import { formatDuration } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';

/** A build's or a deploy's step: deploys number their extension steps, so any id. */
export type ShownStep = Omit<StepState, 'id'> & { id: string };

const icons: Record<StepStatus, string> = { pending: '○', running: '', done: '✓', failed: '✕', cancelled: '⊘', skipped: '–' };

function StepTime({ step, now }: { step: ShownStep; now: number }) {
  if (step.status === 'running' && step.startedAt) return <span className="step__time step__time--live">{formatDuration(now - Date.parse(step.startedAt))}</span>;
  if (step.durationMs !== null) return <span className="step__time">{formatDuration(step.durationMs)}</span>;
  return null;
}

/** The pipeline's steps, live: the running one ticks, finished ones keep their duration. */
export function StepList({ steps, label = 'Build steps' }: { steps: readonly ShownStep[]; label?: string }) {
  const now = useNow(steps.some((s) => s.status === 'running'));
  const done = steps.filter((s) => s.status === 'done').length;
  // Two step lists can share a page (a build and its boot test).
  const titleId = useId();
  return (
    <section className="steps" aria-labelledby={titleId}>
      <header className="steps__header">
        <h3 id={titleId} className="panel__title">Steps</h3>
        <span className="panel__meta">
          {done} of {steps.length} done
        </span>
      </header>
      <ol className="steps__list" aria-label={label}>
        {steps.map((step, index) => (
          <li key={step.id} className={`step step--${step.status}`} data-step={step.id} data-status={step.status}>
            <span className="step__icon" aria-hidden="true">
              {step.status === 'running' ? <span className="spinner" /> : icons[step.status]}
            </span>
            <span className="step__body">
              <span className="step__label">
                <span className="step__index">{index + 1}.</span> {step.label}
                <span className="visually-hidden"> — {step.status}</span>
              </span>
              {step.message && <span className="step__message">{step.message}</span>}
            </span>
            <StepTime step={step} now={now} />
          </li>
        ))}
      </ol>
    </section>
  );
}
