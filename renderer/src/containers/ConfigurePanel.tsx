import { configureNode } from './container-manifest.js';
import { useConfigure } from './configure-store.js';
import { selectScans, useContainers } from './containers-store.js';
import { ProblemList, YamlTextArea } from '../shell/YamlEditing.js';

function NodePicker({ node }: { node: string | null }) {
  const scans = useContainers(selectScans);
  const choose = useConfigure((s) => s.choose);
  return (
    <label className="containers__field">
      <span className="field__label">Configure on</span>
      <select className="input mono" value={node ?? ''} onChange={(event) => choose(event.target.value)}>
        {scans.map((scan) => (
          <option key={scan.node} value={scan.node}>
            {scan.error ? `${scan.node} (unreachable)` : scan.node}
          </option>
        ))}
      </select>
    </label>
  );
}

function ManifestStatus() {
  const problems = useConfigure((s) => s.problems);
  if (problems.length === 0) return <p className="spec__ok">Valid manifest.</p>;
  return (
    <ProblemList label="Manifest problems" problems={problems} />
  );
}

function Outcome() {
  const error = useConfigure((s) => s.error);
  const made = useConfigure((s) => s.made);
  if (error) {
    return (
      <div className="alert" role="alert" data-testid="configure-refused">
        Not configured: <span className="mono">{error}</span>
      </div>
    );
  }
  if (!made) return null;
  return (
    <p className="spec__ok" role="status" data-testid="configured">
      Configured <span className="mono">{made.instance}</span> on {made.node}, down: start it below.
    </p>
  );
}

/** Treadmill's configure: a manifest for one node, checked as it is typed, written to the node created down. */
export function ConfigurePanel() {
  const open = useConfigure((s) => s.open);
  const text = useConfigure((s) => s.text);
  const valid = useConfigure((s) => s.problems.length === 0);
  const submitting = useConfigure((s) => s.submitting);
  const chosen = useConfigure((s) => s.chosen);
  const setText = useConfigure((s) => s.setText);
  const submit = useConfigure((s) => s.submit);
  const select = useContainers((s) => s.select);
  const node = useContainers((s) => configureNode(selectScans(s), chosen));
  if (!open) return null;

  const configure = async () => {
    if (node === null) return;
    const made = await submit(node);
    // The new container is the one the operator wants next: its detail, with Start.
    if (made) select({ ...made, listing: true });
  };

  return (
    <section id="cconfigure" className="panel cconfigure" aria-labelledby="cconfigure-title">
      <header className="panel__header">
        <h2 id="cconfigure-title" className="panel__title">Configure a container</h2>
        <span className="panel__meta">checked as Treadmill does: the proid exists on the node, environment, cpu, memory, disk, one service</span>
      </header>
      <NodePicker node={node} />
      <YamlTextArea label="Container manifest (YAML)" className="cconfigure__text" valid={valid} describedBy="cconfigure-status" value={text} onChange={setText} />
      <div id="cconfigure-status" className="spec__status">
        <ManifestStatus />
      </div>
      <div className="spec__actions cconfigure__actions">
        <button type="button" className="button" disabled={!valid || submitting || node === null} onClick={() => void configure()}>
          {submitting ? 'Configuring…' : node === null ? 'Configure' : `Configure on ${node}`}
        </button>
        <Outcome />
      </div>
    </section>
  );
}
