import { useState } from 'react';
import type { BuildSummary } from '../../../shared/contract/index.js';
import { formatBytes } from '../lib/format.js';
import { fetchTotals, useFetches } from './fetch-store.js';

/** The folder the artifacts were written to on the host: the same path here is the first suggestion. */
const hostFolder = (build: BuildSummary) => build.artifacts[0]?.path.replace(/\/[^/]*$/, '') ?? '';

/** "Fetch artifacts" of a build host's build: copied here over SFTP, resumed if cut, each checked by its sha256. */
export function FetchArtifacts({ build }: { build: BuildSummary }) {
  const fetch = useFetches((s) => s.fetches[build.id]);
  const start = useFetches((s) => s.fetch);
  const [to, setTo] = useState(() => fetch?.to || hostFolder(build));
  const running = fetch?.state === 'running';
  const totals = fetch ? fetchTotals(fetch) : null;

  return (
    <section className="fetch" aria-labelledby="fetch-title" data-state={fetch?.state ?? 'idle'}>
      <h3 id="fetch-title" className="panel__title">Artifacts on {build.host}</h3>
      <form
        className="fetch__form"
        onSubmit={(event) => {
          event.preventDefault();
          void start(build.id, to.trim());
        }}
      >
        <label htmlFor="fetch-to">Fetch into (a folder here; a file of the same name there is replaced)</label>
        <input id="fetch-to" className="input mono" value={to} onChange={(event) => setTo(event.target.value)} disabled={running} spellCheck={false} />
        <button type="submit" className="button" disabled={running || to.trim() === ''}>
          {running ? 'Fetching…' : 'Fetch artifacts'}
        </button>
      </form>
      {running && totals && (
        <p className="fetch__progress">
          <progress value={totals.done} max={Math.max(totals.total, 1)} aria-label="Fetched" /> <span className="mono">{formatBytes(totals.done)} of {formatBytes(totals.total)}</span>
        </p>
      )}
      {fetch?.state === 'failed' && (
        <p className="fetch__error" role="alert">
          {fetch.error}
        </p>
      )}
      {fetch?.state === 'done' && (
        <ul className="fetch__files" aria-label="Fetched files">
          {fetch.files.map((file) => (
            <li key={file.name} data-file={file.name}>
              <span className="mono">{file.path}</span> {formatBytes(file.bytes)}, {file.present ? 'already here' : file.resumedFrom > 0 ? `resumed at ${formatBytes(file.resumedFrom)}` : 'copied'},{' '}
              {file.sha256 === null ? 'no sum recorded for it' : <>sha256 <code className="hash">{file.sha256.slice(0, 16)}</code> checked</>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
