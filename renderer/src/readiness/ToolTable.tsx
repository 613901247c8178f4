import type { ToolCheck } from '../../../shared/contract/index.js';

function StatusBadge({ tool }: { tool: ToolCheck }) {
  if (tool.found) return <span className="badge badge--ok">found</span>;
  return tool.required ? <span className="badge badge--bad">missing</span> : <span className="badge badge--warn">missing (optional)</span>;
}

export function ToolTable({ tools, label = 'Host tools' }: { tools: readonly ToolCheck[]; label?: string }) {
  return (
    <div className="table-scroll">
      <table className="table readiness__table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Tool</th>
            <th scope="col">Status</th>
            <th scope="col">Version</th>
            <th scope="col">Path</th>
            <th scope="col">Debian package</th>
            <th scope="col">Needed by</th>
            <th scope="col">What for</th>
          </tr>
        </thead>
        <tbody>
          {tools.map((tool) => (
            <tr key={tool.name} data-tool={tool.name} data-found={tool.found}>
              <th scope="row" className="mono">{tool.name}</th>
              <td><StatusBadge tool={tool} /></td>
              <td className="mono">{tool.version ?? '—'}</td>
              <td className="mono muted">{tool.path ?? '—'}</td>
              <td className="mono">{tool.debianPackage}</td>
              <td>{tool.neededBy.join(', ')}</td>
              <td className="muted">{tool.purpose}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
