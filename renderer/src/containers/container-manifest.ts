import { ContainerManifest, specProblems, type ContainerScan, type SpecProblem } from '../../../shared/contract/index.js';
import { parseYamlMapping } from '../../../shared/documents/yaml-mapping.js';

/** What the Configure panel starts from: a valid manifest to edit, not an empty box. */
export const exampleManifest = `name: web
proid: proid
environment: dev
cpu: 100%
memory: 256M
disk: 1G
# A Slipway build with container: raw, on the node
image: /srv/images/lab-node.root.img
services:
  - name: web_server
    command: exec /usr/bin/python3 -m http.server 8080
`;

/** Every problem of the manifest text, named by field, as the backend's configure would name the first. */
export function manifestProblems(text: string): SpecProblem[] {
  if (!text.trim()) return [{ field: '(manifest)', message: 'write a manifest' }];
  const mapping = parseYamlMapping(text, { field: '(manifest)', hint: 'a manifest is a mapping: name, proid, environment, cpu, memory, disk, image, services' });
  if (!mapping.ok) return mapping.problems;
  const parsed = ContainerManifest.safeParse(mapping.raw);
  return parsed.success ? [] : specProblems(parsed.error);
}

/** The backend's refusal `field: message` as a problem of that field; its message without the field repeated. */
export function problemOf(field: string, message: string): SpecProblem {
  return { field, message: message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message };
}

/** The node a new container goes to: the operator's pick while it is still a Treadmill node, else the first one that answered its scan. */
export function configureNode(scans: readonly Pick<ContainerScan, 'node' | 'error'>[], chosen: string | null): string | null {
  if (chosen !== null && scans.some((s) => s.node === chosen)) return chosen;
  return (scans.find((s) => s.error === null) ?? scans[0])?.node ?? null;
}
