import { AppDefinition } from '../contract/apps.js';
import { specProblems, type SpecProblem } from '../contract/image-spec.js';
import { parseYamlMapping } from '../documents/yaml-mapping.js';

export type AppTextResult = { ok: true; definition: AppDefinition } | { ok: false; problems: SpecProblem[] };

/** YAML text → a valid application definition, or every problem with the field it is about. */
export function parseAppText(text: string): AppTextResult {
  const document = parseYamlMapping(text, { field: '(definition)', hint: 'the definition must be a YAML mapping (name: …, run: …)' });
  if (!document.ok) return document;
  const parsed = AppDefinition.safeParse(document.raw);
  // Bad-host patterns are checked by the contract too: they must compile and must not backtrack without end.
  if (!parsed.success) return { ok: false, problems: specProblems(parsed.error) };
  return { ok: true, definition: parsed.data };
}

/** NEPI's path variables: `${SOURCES}` is the application's home, `${BUILD}` its build directory. */
export function expandPaths(command: string, home: string): string {
  return command.replaceAll('${SOURCES}', home).replaceAll('${BUILD}', `${home}/build`);
}
