import type { ContainerRow, ContainerScan, ContainerState } from '../../../shared/contract/index.js';

/** For tests: a container with an even id runs proid.web, an odd one lab.train; a higher id changed longer ago. */
export const containerRow = (node: string, id: number, state: ContainerState = 'running', change: Partial<ContainerRow> = {}): ContainerRow => {
  const app = id % 2 === 0 ? 'proid.web' : 'lab.train';
  const instanceId = String(id).padStart(10, '0');
  return {
    node, unique: `${app}-${instanceId}-0000000000${String(id).padStart(3, '0')}`, instance: `${app}#${instanceId}`, app, proid: app.split('.')[0]!, state,
    summary: state, cleanupPending: false, reason: null, abortedPayload: null, service: null, exitCode: null, signal: null, signalName: null, exitedAt: null,
    cleaning: false, tombstone: false, placed: false, archived: false, environment: 'dev', memory: '1G', cpu: '50%', disk: '1G', services: ['main'],
    changedAt: new Date(Date.parse('2026-11-23T10:00:00Z') - id * 60_000).toISOString(), problems: [], ...change,
  };
};

export const containerScan = (node: string, rows: ContainerRow[], change: Partial<ContainerScan> = {}): ContainerScan => ({
  node, root: '/var/tmp/treadmill', scannedAt: '2026-11-23T10:00:00.000Z', ms: 40, rows, error: null, problems: [], ...change,
});
