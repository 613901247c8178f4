import { memo, useMemo } from 'react';
import { backend } from '../connection/backend.js';
import { LogViewer } from '../jobs/LogViewer.js';
import type { LogSource } from '../jobs/log-download.js';
import { useBuilds } from './builds-store.js';

/**
 * The selected build's log, subscribed on its own: a flood bumps the log's
 * revision every few frames, and only this part of the build's panel renders
 * again for it (not the header, the steps or the progress bar). Memoized the
 * other way round too: the step's progress events (one a batch of lines, a
 * hundred a second in a flood) render the panel, not the log.
 */
export const BuildLog = memo(function BuildLog({ id, name }: { id: string; name: string }) {
  const log = useBuilds((s) => s.log);
  const revision = useBuilds((s) => s.logRevision);
  const logTotal = useBuilds((s) => s.logTotal);
  const logLoading = useBuilds((s) => s.logLoading);
  // One object per build, so the viewer's toolbar (which takes it) is not rendered again with every revision.
  const source = useMemo<LogSource>(() => ({ page: (from, count) => backend().request('builds.logs', { id, from, count }), fileName: `build-${name}-${id}.log` }), [id, name]);
  return <LogViewer key={id} log={log} revision={revision} total={logTotal} loading={logLoading} source={source} />;
});
