import { parse, YAMLParseError } from 'yaml';
import { AppDefinition } from '../contract/apps.js';
import { specProblems, type SpecProblem } from '../contract/image-spec.js';

export type AppTextResult = { ok: true; definition: AppDefinition } | { ok: false; problems: SpecProblem[] };

/** YAML text → a valid application definition, or every problem with the field it is about. */
export function parseAppText(text: string): AppTextResult {
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    return { ok: false, problems: [{ field: '(yaml)', message: `not valid YAML${where}: ${(error as Error).message.split('\n')[0]}` }] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ field: '(definition)', message: 'the definition must be a YAML mapping (name: …, run: …)' }] };
  }
  const parsed = AppDefinition.safeParse(raw);
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
