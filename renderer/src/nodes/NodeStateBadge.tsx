import type { NodeState } from '../../../shared/contract/index.js';
import { stateTone, type Usage } from './node-format.js';

export function NodeStateBadge({ state }: { state: NodeState }) {
  return (
    <span className={`badge badge--${stateTone[state]}`} data-state={state}>
      {state}
    </span>
  );
}

/** A small bar with its number: green, amber from 75 %, red from 90 %. */
export function UsageBar({ usage, label, detail }: { usage: Usage; label: string; detail: string }) {
  return (
    <span
      className={`usage usage--${usage.tone}`}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={usage.percent}
      aria-valuetext={detail}
      title={detail}
    >
      <span className="usage__track" aria-hidden="true">
        <span className="usage__fill" style={{ width: `${usage.percent}%` }} />
      </span>
      <span className="usage__text">{usage.text}</span>
    </span>
  );
}
