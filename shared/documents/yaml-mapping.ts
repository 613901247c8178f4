import { parse, YAMLParseError } from 'yaml';
import type { SpecProblem } from '../contract/image-spec.js';

/** An operator's YAML document as a mapping, or the one problem that says why it is not (with its line). */
export function parseYamlMapping(text: string, what: { field: string; hint: string }): { ok: true; raw: Record<string, unknown> } | { ok: false; problems: SpecProblem[] } {
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    return { ok: false, problems: [{ field: '(yaml)', message: `not valid YAML${where}: ${(error as Error).message.split('\n')[0]}` }] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, problems: [{ field: what.field, message: what.hint }] };
  return { ok: true, raw: raw as Record<string, unknown> };
}
