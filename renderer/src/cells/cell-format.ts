import type { CellAppState, CellServer } from '../../../shared/contract/cells.js';

export type Tone = 'run' | 'ok' | 'warn' | 'bad' | 'info' | 'muted';

export function appTone(state: CellAppState): Tone {
  switch (state) {
    case 'running':
      return 'run';
    case 'placed':
    case 'pending':
      return 'info';
    case 'finished':
      return 'ok';
    case 'aborted':
    case 'killed':
      return 'bad';
    default:
      return 'warn';
  }
}

export function serverTone(server: Pick<CellServer, 'state' | 'blackedOut'>): Tone {
  if (server.blackedOut !== null) return 'bad';
  return server.state === 'up' ? 'ok' : server.state === 'frozen' ? 'warn' : 'bad';
}

/** Treadmill's capacity in the units an operator reads: MiB → "256 GiB", percent of a core → "64 cores". */
export const formatMiB = (mib: number | null) => (mib === null ? '—' : mib >= 1024 ? `${Math.round((mib / 1024) * 10) / 10} GiB` : `${mib} MiB`);
export const formatCpu = (percent: number | null) => (percent === null ? '—' : `${Math.round(percent) / 100} cores`);
