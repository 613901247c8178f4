import { ImageSpec, specProblems, type SpecProblem } from '../contract/image-spec.js';
import { parseYamlMapping } from '../documents/yaml-mapping.js';

export type SpecResult = { ok: true; spec: ImageSpec } | { ok: false; problems: SpecProblem[] };

/**
 * YAML text → a valid spec, or every problem with the field it is about.
 * `fill` adds host defaults (the mirror) to fields the text left out.
 */
export function parseSpecText(text: string, fill: (raw: Record<string, unknown>) => Record<string, unknown> = (raw) => raw): SpecResult {
  const document = parseYamlMapping(text, { field: '(spec)', hint: 'the spec must be a YAML mapping (name: …, suite: …, images: …)' });
  if (!document.ok) return document;
  const parsed = ImageSpec.safeParse(fill(document.raw));
  return parsed.success ? { ok: true, spec: parsed.data } : { ok: false, problems: specProblems(parsed.error) };
}
