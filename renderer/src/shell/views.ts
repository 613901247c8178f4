export interface ViewInfo {
  id: string;
  label: string;
  /** For areas not built yet: what the view will hold. */
  planned?: string;
}

export const views: readonly ViewInfo[] = [
  { id: 'readiness', label: 'Host readiness' },
  { id: 'builds', label: 'Builds' },
  { id: 'nodes', label: 'Nodes' },
  { id: 'publish', label: 'Publish' },
  { id: 'applications', label: 'Applications' },
  { id: 'containers', label: 'Containers' },
  { id: 'cells', label: 'Cells' },
];

export const defaultView = 'readiness';
