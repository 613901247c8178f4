import { Fragment } from 'react';
import { deployWhereText } from '../../../shared/contract/index.js';
import { JobStatusBadge } from '../jobs/JobStatusBadge.js';
import { formatDuration, formatTime } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';
import { useDeploy } from './deploy-store.js';
import { useImageName } from './use-image-name.js';
import { EmptyState } from '../shell/EmptyState.js';

// The deploy form on this page is where a deploy is made; with no built image, its hint links to Builds.
const focusDeployForm = () => document.getElementById('deploy-image')?.focus();

/** `tar:/srv/deploy/x.tar` wraps only after a colon or a slash. */
function BreakableText({ text }: { text: string }) {
  return text.split(/(?<=[:/])/).map((part, index) => (
    <Fragment key={index}>
      {index > 0 && <wbr />}
      {part}
    </Fragment>
  ));
}

export function DeployHistory() {
  const history = useDeploy((s) => s.history);
  const selectedId = useDeploy((s) => s.selected?.id ?? null);
  const select = useDeploy((s) => s.select);
  const imageName = useImageName();
  const now = useNow(history.some((d) => d.status === 'running'), 1000);

  return (
    <section className="panel history deploy-history" aria-labelledby="deploy-history-title">
      <header className="panel__header">
        <h2 id="deploy-history-title" className="panel__title">Deploy history</h2>
        <span className="panel__meta">{history.length} deploys</span>
      </header>
      {history.length === 0 ? (
        <EmptyState size="panel" title="No deploys yet" testId="deploys-empty" actions={[{ label: 'Deploy an image', onClick: focusDeployForm }]}>
          Pick a built image and a target in the deploy form: each deploy appears here as soon as it starts.
        </EmptyState>
      ) : (
        <div className="history__scroll">
          <table className="table table--compact" aria-label="Deploy history">
            <thead>
              <tr>
                <th scope="col">Image</th>
                <th scope="col">Target</th>
                <th scope="col">Status</th>
                <th scope="col">Started · took</th>
              </tr>
            </thead>
            <tbody>
              {history.map((deploy) => (
                <tr key={deploy.id} data-deploy={deploy.id} aria-current={deploy.id === selectedId ? true : undefined} className={deploy.id === selectedId ? 'is-selected' : undefined}>
                  <th scope="row">
                    <button type="button" className="linklike" onClick={() => void select(deploy.id)} title={deploy.id}>
                      {imageName(deploy.image, deploy.imagePath)}
                    </button>
                  </th>
                  <td className="mono deploy__target">
                    <BreakableText text={deployWhereText(deploy)} />
                  </td>
                  <td><JobStatusBadge status={deploy.status} /></td>
                  <td className="nowrap">
                    <span className="muted">{formatTime(deploy.startedAt)}</span>
                    <span className="deploy-history__took mono">{formatDuration(deploy.durationMs ?? now - Date.parse(deploy.startedAt))}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
