import { parse, YAMLParseError } from 'yaml';
import { ImageSpec, specProblems, type SpecProblem } from '../contract/image-spec.js';

export type SpecResult = { ok: true; spec: ImageSpec } | { ok: false; problems: SpecProblem[] };

/**
 * YAML text → a valid spec, or every problem with the field it is about.
 * `fill` adds host defaults (the mirror) to fields the text left out.
 */
export function parseSpecText(text: string, fill: (raw: Record<string, unknown>) => Record<string, unknown> = (raw) => raw): SpecResult {
  let raw: unknown;
  try {
    raw = parse(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    return { ok: false, problems: [{ field: '(yaml)', message: `not valid YAML${where}: ${(error as Error).message.split('\n')[0]}` }] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ field: '(spec)', message: 'the spec must be a YAML mapping (name: …, suite: …, images: …)' }] };
  }
  const parsed = ImageSpec.safeParse(fill(raw as Record<string, unknown>));
  return parsed.success ? { ok: true, spec: parsed.data } : { ok: false, problems: specProblems(parsed.error) };
}
