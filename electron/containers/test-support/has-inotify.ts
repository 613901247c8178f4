import { execFileSync } from 'node:child_process';

/** inotifywait on this host's PATH (Debian inotify-tools): the watcher's tests run it for real, or say they cannot. */
export const hasInotify = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v inotifywait']);
    return true;
  } catch {
    return false;
  }
})();
