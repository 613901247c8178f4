import { ContainerManifest, SlipwayError, specProblems } from '../../shared/contract/index.js';
import { parseYamlMapping } from '../../shared/documents/yaml-mapping.js';

/** The manifest text → a valid manifest, or its first problem named by field, as the real configure refuses it. */
export function parseMockManifest(text: string): ContainerManifest {
  const mapping = parseYamlMapping(text, { field: '(manifest)', hint: 'a manifest is a mapping: name, proid, environment, cpu, memory, disk, image, services' });
  if (!mapping.ok) {
    const [first] = mapping.problems;
    throw new SlipwayError('bad_request', `${first!.field}: ${first!.message}`, first!.field);
  }
  const parsed = ContainerManifest.safeParse(mapping.raw);
  if (parsed.success) return parsed.data;
  const [first] = specProblems(parsed.error);
  throw new SlipwayError('bad_request', `${first!.field}: ${first!.message}`, first!.field);
}
