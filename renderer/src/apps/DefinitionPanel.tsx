import { selectEdited, useDefinitions } from './definitions-store.js';
import { ProblemList, YamlTextArea } from '../shell/YamlEditing.js';

function DefinitionList() {
  const saved = useDefinitions((s) => s.saved);
  const openedFrom = useDefinitions((s) => s.openedFrom);
  const open = useDefinitions((s) => s.open);
  const openNew = useDefinitions((s) => s.openNew);
  return (
    <nav className="app-def__library" aria-label="Saved definitions">
      <ul className="app-def__list">
        {saved.map((definition) => (
          <li key={definition.name}>
            <button
              type="button"
              className={`app-def__item mono${definition.name === openedFrom ? ' is-current' : ''}`}
              aria-current={definition.name === openedFrom ? true : undefined}
              onClick={() => open(definition.name)}
            >
              {definition.name}
            </button>
          </li>
        ))}
      </ul>
      {saved.length === 0 && <p className="muted app-def__none">No saved definition yet: write one beside this list, or start from a new one, and Save it.</p>}
      <button type="button" className="button button--small button--quiet" onClick={openNew}>
        + New definition
      </button>
    </nav>
  );
}

function Status() {
  const text = useDefinitions((s) => s.text);
  const problems = useDefinitions((s) => s.problems);
  const targets = useDefinitions((s) => s.targets);
  if (problems.length > 0) {
    return (
      <ProblemList label="Definition problems" problems={problems} />
    );
  }
  if (!text.trim()) return <p className="spec__ok">Write or paste a definition.</p>;
  return (
    <p className="spec__ok">
      Valid definition.{targets && ` Its nodes and labels select ${targets.length} node${targets.length === 1 ? '' : 's'}.`}
    </p>
  );
}

/** The operator's library and the YAML editor, checked as it is typed like a build spec. */
export function DefinitionPanel() {
  const text = useDefinitions((s) => s.text);
  const problems = useDefinitions((s) => s.problems);
  const openedFrom = useDefinitions((s) => s.openedFrom);
  const edited = useDefinitions(selectEdited);
  const saving = useDefinitions((s) => s.saving);
  const savedAs = useDefinitions((s) => s.savedAs);
  const error = useDefinitions((s) => s.error);
  const setText = useDefinitions((s) => s.setText);
  const save = useDefinitions((s) => s.save);
  const valid = problems.length === 0 && text.trim() !== '';

  return (
    <section className="panel app-def" aria-labelledby="app-def-title">
      <header className="panel__header">
        <h2 id="app-def-title" className="panel__title">Definition</h2>
        <span className="panel__meta mono">{openedFrom === null ? 'new, not saved' : edited ? `${openedFrom} · edited` : openedFrom}</span>
      </header>
      <div className="app-def__body">
        <DefinitionList />
        <div className="app-def__editor">
          <YamlTextArea label="Application definition (YAML)" className="app-def__text" valid={valid} describedBy="app-def-status" value={text} onChange={setText} />
          <div id="app-def-status" className="spec__status">
            <Status />
          </div>
          {error && (
            <div className="alert" role="alert">
              {error}
            </div>
          )}
          <div className="spec__actions">
            <button type="button" className="button" disabled={!valid || saving || !edited} onClick={() => void save()}>
              {saving ? 'Saving…' : 'Save'}
            </button>
            {savedAs && (
              <span className="muted" role="status">
                Saved as <span className="mono">{savedAs}</span>.
              </span>
            )}
          </div>
        </div>
      </div>
    </section>
  );
}
