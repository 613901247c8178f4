import { selectProblems, useCells } from './cells-store.js';

/** What could not be read from the cell (malformed JSON, a /placement blob that is not zlib, unknown events): listed, never fatal. */
export function CellProblems() {
  const problems = useCells(selectProblems);
  if (problems.length === 0) return <p className="panel__empty">Every node read from this cell made sense.</p>;
  return (
    <ul className="cells__problems panel" aria-label="Cell problems">
      {problems.map((problem) => (
        <li key={problem.path}>
          <code className="mono">{problem.path}</code> <span>{problem.problem}</span>
        </li>
      ))}
    </ul>
  );
}
