import type { ReactNode } from 'react';

/** One term and its value in a detail's facts (`dl.node__facts`). */
export function Fact({ term, col, children }: { term: string; col?: string; children: ReactNode }) {
  return (
    <div className="node__fact" data-col={col}>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
