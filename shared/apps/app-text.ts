import { AppDefinition } from '../contract/apps.js';
import { specProblems, type SpecProblem } from '../contract/image-spec.js';
import { parseYamlMapping } from '../documents/yaml-mapping.js';

export type AppTextResult = { ok: true; definition: AppDefinition } | { ok: false; problems: SpecProblem[] };

/** YAML text → a valid application definition, or every problem with the field it is about. */
export function parseAppText(text: string): AppTextResult {
  const document = parseYamlMapping(text, { field: '(definition)', hint: 'the definition must be a YAML mapping (name: …, run: …)' });
  if (!document.ok) return document;
  const parsed = AppDefinition.safeParse(document.raw);
  if (!parsed.success) return { ok: false, problems: specProblems(parsed.error) };
  const bad = (parsed.data.badHostPatterns ?? []).flatMap((pattern, index) => {
    try {
      new RegExp(pattern);
      return [];
    } catch (error) {
      return [{ field: `badHostPatterns.${index}`, message: `not a regular expression: ${(error as Error).message}` }];
    }
  });
  return bad.length > 0 ? { ok: false, problems: bad } : { ok: true, definition: parsed.data };
}

/** NEPI's path variables: `${SOURCES}` is the application's home, `${BUILD}` its build directory. */
export function expandPaths(command: string, home: string): string {
  return command.replaceAll('${SOURCES}', home).replaceAll('${BUILD}', `${home}/build`);
}
