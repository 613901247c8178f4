import { formatSize } from './build.js';
import { progressOn } from './terminal-output.js';

/**
 * `slipway build fetch ID --to DIR`: a build host's artifacts copied here over
 * SFTP (resumed where an earlier fetch stopped, each checked by its sha256).
 * Exit 0 fetched, 1 refused or failed.
 */
export async function runBuildFetch(id: string, to: string, json: boolean): Promise<number> {
  const { createRealBackend } = await import('../app/real-backend.js');
  const backend = createRealBackend({ interactive: false });
  const progress = progressOn(process.stderr);
  backend.bus.subscribe((event) => {
    if (event.topic !== 'builds.fetchProgress') return;
    const payload = event.payload as { id: string; file: string; done: number; total: number };
    if (payload.id !== id) return;
    if (json) process.stdout.write(`${JSON.stringify({ topic: event.topic, payload })}\n`);
    else progress.update(`${payload.file}: ${formatSize(payload.done)} of ${formatSize(payload.total)}`);
  });
  try {
    const { files } = await backend.handlers['builds.fetch']({ id, to });
    progress.done();
    for (const file of files) {
      const how = file.present ? 'already here' : file.resumedFrom > 0 ? `resumed at ${formatSize(file.resumedFrom)}` : 'copied';
      const check = file.sha256 === null ? 'no sum recorded for it' : `sha256 ${file.sha256.slice(0, 16)}… checked`;
      process.stdout.write(json ? `${JSON.stringify({ topic: 'builds.fetched', payload: file })}\n` : `${file.path}  ${formatSize(file.bytes)}, ${how}, ${check}\n`);
    }
    return 0;
  } finally {
    progress.done();
    await backend.close();
  }
}
