import { useMemo } from 'react';
import { useNodes } from './nodes-store.js';
import { buildHostLabel } from './BuildHostReadiness.js';

/** The inventory's build hosts (nodes labelled build-host), by name. */
export function useBuildHostNames(): string[] {
  const statuses = useNodes((s) => s.statuses);
  // Derived here, not in the selector: a new array from a selector would render on every store change.
  return useMemo(
    () => Object.values(statuses).filter((status) => status.spec.labels.includes(buildHostLabel)).map((status) => status.spec.name).sort(),
    [statuses],
  );
}
