import { useEffect } from 'react';
import { useBuilds } from './builds-store.js';
import { BuildDetailPanel } from './BuildDetailPanel.js';
import { BuildHistory } from './BuildHistory.js';
import { SpecEditor } from './SpecEditor.js';

export function BuildsView() {
  const defaults = useBuilds((s) => s.defaults);
  const recovered = useBuilds((s) => s.recovered);
  const dismissRecovered = useBuilds((s) => s.dismissRecovered);
  const newest = useBuilds((s) => s.history[0]?.id ?? null);
  const selectedId = useBuilds((s) => s.selected?.id ?? null);
  const select = useBuilds((s) => s.select);

  // Opening the view shows the latest build; its log is fetched only when someone looks.
  useEffect(() => {
    if (selectedId === null && newest !== null) void select(newest);
  }, [selectedId, newest, select]);

  return (
    <section className="view view--builds" aria-labelledby="view-title">
      <header className="view__header">
        <div>
          <h1 id="view-title">Builds</h1>
          <p className="view__subtitle">
            {defaults
              ? `Debian images from a YAML spec · ${defaults.mirror ?? 'this host’s apt mirror'} · ${defaults.arch} · published to ${defaults.outputDir}`
              : 'Debian images from a YAML spec, built step by step into loop-mounted file systems.'}
          </p>
        </div>
      </header>
      {recovered && (
        <div className="notice" role="status">
          <span>
            <strong>Recovered at start:</strong> an interrupted build left {recovered.length} thing{recovered.length === 1 ? '' : 's'} behind, now cleaned:{' '}
            <span className="mono">{recovered.join(', ')}</span>
          </span>
          <button type="button" className="button button--small" onClick={dismissRecovered}>
            Dismiss
          </button>
        </div>
      )}
      <div className="builds__top">
        <SpecEditor />
        <BuildHistory />
      </div>
      <BuildDetailPanel />
    </section>
  );
}
