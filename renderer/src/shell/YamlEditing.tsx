/** The YAML editors' shared parts: the text area and the field-named problem list under it. */

interface YamlTextAreaProps {
  label: string;
  valid: boolean;
  /** Id of the status line that says what is wrong. */
  describedBy: string;
  value: string;
  className?: string;
  onChange(text: string): void;
}

export function YamlTextArea({ label, valid, describedBy, value, className, onChange }: YamlTextAreaProps) {
  return (
    <textarea
      className={`spec__text${className ? ` ${className}` : ''}${valid ? '' : ' spec__text--invalid'}`}
      aria-label={label}
      aria-invalid={!valid}
      aria-describedby={describedBy}
      spellCheck={false}
      autoCapitalize="off"
      autoComplete="off"
      value={value}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

export function ProblemList({ label, problems }: { label: string; problems: readonly { field: string; message: string }[] }) {
  return (
    <ul className="problems" aria-label={label}>
      {problems.map((problem, index) => (
        <li key={`${problem.field}-${index}`} className="problem" data-field={problem.field}>
          <code className="problem__field">{problem.field}</code>
          <span>{problem.message}</span>
        </li>
      ))}
    </ul>
  );
}
