import { useBuilds } from './builds-store.js';
import { ProblemList, YamlTextArea } from '../shell/YamlEditing.js';
import { BuildHostPicker } from './BuildHostPicker.js';

/** The YAML spec, checked as it is typed: the Build button waits for a valid spec. */
export function SpecEditor() {
  const specText = useBuilds((s) => s.specText);
  const problems = useBuilds((s) => s.problems);
  const specHash = useBuilds((s) => s.specHash);
  const starting = useBuilds((s) => s.starting);
  const error = useBuilds((s) => s.error);
  const example = useBuilds((s) => s.defaults?.exampleSpec ?? null);
  const setSpecText = useBuilds((s) => s.setSpecText);
  const start = useBuilds((s) => s.start);
  const valid = problems.length === 0 && specText.trim() !== '';

  async function buildAndFollow(): Promise<void> {
    // The operator wants to watch what they just started: bring its steps and log into view.
    if (await start()) document.getElementById('build-title')?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  return (
    <section className="panel spec" aria-labelledby="spec-title">
      <header className="panel__header">
        <h2 id="spec-title" className="panel__title">Image spec</h2>
        <span className="panel__meta mono" title={specHash ?? undefined}>
          {specHash ? `spec ${specHash.slice(0, 12)}` : 'YAML'}
        </span>
      </header>
      <YamlTextArea label="Image spec (YAML)" valid={valid} describedBy="spec-status" value={specText} onChange={setSpecText} />
      <div id="spec-status" className="spec__status">
        {problems.length > 0 ? (
          <ProblemList label="Spec problems" problems={problems} />
        ) : (
          <p className="spec__ok">{specText.trim() ? 'Valid spec.' : 'Write or paste a spec.'}</p>
        )}
      </div>
      {error && (
        <div className="alert" role="alert">
          {error}
        </div>
      )}
      <div className="spec__actions">
        <BuildHostPicker />
        <button type="button" className="button button--primary" disabled={!valid || starting} onClick={(event) => {
            // The second click of a double click (detail 2) is not a second build, however fast the first one started.
            if (event.detail <= 1) void buildAndFollow();
          }}>
          {starting ? 'Building…' : 'Build'}
        </button>
        {example !== null && specText !== example && (
          <button type="button" className="button button--quiet" onClick={() => setSpecText(example)}>
            Reset to example
          </button>
        )}
      </div>
    </section>
  );
}
