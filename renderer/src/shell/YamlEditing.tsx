/** The YAML editors' shared parts: the text area (line numbers, no soft wrap) and the field-named problem list under it. */

import { useLayoutEffect, useRef } from 'react';

interface YamlTextAreaProps {
  label: string;
  valid: boolean;
  /** Id of the status line that says what is wrong. */
  describedBy: string;
  value: string;
  className?: string;
  onChange(text: string): void;
}

/** How many lines the text area shows for this text (a final newline starts one more). */
export function lineCount(text: string): number {
  let count = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}

/** "1\n2\n…\nN": the gutter's numbers, in one text node. */
export function lineNumbers(count: number): string {
  return Array.from({ length: count }, (_, index) => String(index + 1)).join('\n');
}

/**
 * YAML as written: lines never soft-wrap (a long line scrolls sideways, the
 * indentation stays readable) and a gutter numbers them, as a YAML syntax
 * error names its line. The gutter is decoration (aria-hidden): it follows the
 * text area's vertical scroll, and the text area stays the one control a
 * screen reader meets.
 */
export function YamlTextArea({ label, valid, describedBy, value, className, onChange }: YamlTextAreaProps) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const follow = () => {
    if (area.current && gutter.current) gutter.current.scrollTop = area.current.scrollTop;
  };
  // A new text (an example loaded, a line added at the end) can move the scroll without a scroll event.
  useLayoutEffect(follow, [value]);
  const lines = lineCount(value);
  return (
    <div className={`yaml${valid ? '' : ' yaml--invalid'}`}>
      {/* As wide as the longest number; the numbers are placed inside it, so they never make the editor taller than its text area. */}
      <div ref={gutter} className="yaml__gutter" aria-hidden="true" data-lines={lines} style={{ width: `calc(${String(lines).length}ch + 20px)` }}>
        <div className="yaml__numbers">{lineNumbers(lines)}</div>
      </div>
      <textarea
        ref={area}
        className={`spec__text yaml__text${className ? ` ${className}` : ''}${valid ? '' : ' spec__text--invalid'}`}
        aria-label={label}
        aria-invalid={!valid}
        aria-describedby={describedBy}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        wrap="off"
        value={value}
        onScroll={follow}
        onChange={(event) => onChange(event.target.value)}
      />
    </div>
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
