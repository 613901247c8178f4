import './job-progress.css';
import { estimateJob, type ExpectedStepMs, type TimedStep } from '../../../shared/jobs/step-estimate.js';
import { formatDuration } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';

/** "about 3 min 05 s left", from the durations of the same steps in earlier jobs; said plainly when there are none. */
export function timeLeftText(leftMs: number | null): string {
  if (leftMs === null) return 'no earlier run to estimate from';
  if (leftMs < 1_000) return 'finishing';
  return `about ${formatDuration(leftMs)} left`;
}

interface Props {
  steps: readonly TimedStep[];
  startedAt: string;
  expected: ExpectedStepMs | null | undefined;
  /** "Build lab-node": names the bar for assistive technology. */
  label: string;
  compact?: boolean;
}

/** A running job's progress bar, elapsed time and time left; it ticks once a second. */
export function JobProgress({ steps, startedAt, expected, label, compact = false }: Props) {
  const now = useNow(true, 1_000);
  const { elapsedMs, fraction, leftMs } = estimateJob(steps, startedAt, now, expected);
  const percent = Math.round(fraction * 100);
  return (
    <div className={`job-progress${compact ? ' job-progress--compact' : ''}`} data-testid="job-progress">
      <progress className="job-progress__bar" max={100} value={percent} aria-label={`${label}: ${percent}% done`} />
      <span className="job-progress__text">
        <span className="mono">{percent}%</span> · {formatDuration(elapsedMs)} elapsed · <span data-testid="time-left">{timeLeftText(leftMs)}</span>
      </span>
    </div>
  );
}
