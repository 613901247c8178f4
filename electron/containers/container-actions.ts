import { randomBytes, randomInt } from 'node:crypto';
import { parse as parseYaml, stringify } from 'yaml';
import { ContainerManifest, type ContainerAction } from '../../shared/contract/containers.js';
import { SlipwayError, specProblems } from '../../shared/contract/index.js';
import { configureScript, removeScript, startScript, stopScript, terminateScript, type ContainerSpec } from './container-scripts.js';
import { uniqueName } from '../../shared/contract/instance-name.js';

/** Runs a script where the node root is (over SSH, or this host for a local root). */
export type Execute = (script: string) => Promise<{ code: number | null; stdout: string; stderr: string }>;

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Treadmill's unique ids: 13 characters, new for every configure. */
export function newUniqueId(): string {
  return [...randomBytes(13)].map((byte) => base32[byte % 32]).join('');
}

export function memoryBytes(size: string): number {
  const match = /^(\d+)([KMG])$/i.exec(size);
  if (!match) throw new SlipwayError('bad_request', `memory: "${size}" is not a size`, 'memory');
  return Number(match[1]) * 1024 ** ('KMG'.indexOf(match[2]!.toUpperCase()) + 1);
}

/** The manifest text → a valid manifest, or the first problem with its field (as Treadmill's configure checks it). */
export function parseManifest(text: string): ContainerManifest {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new SlipwayError('bad_request', `not valid YAML: ${(error as Error).message.split('\n')[0]}`, '(yaml)');
  }
  const parsed = ContainerManifest.safeParse(raw);
  if (!parsed.success) {
    const [first] = specProblems(parsed.error);
    throw new SlipwayError('bad_request', `${first!.field}: ${first!.message}`, first!.field);
  }
  return parsed.data;
}

async function must(execute: Execute, what: string, script: string): Promise<string> {
  const result = await execute(script);
  if (result.code !== 0) throw new SlipwayError('failed', `${what}: ${result.stderr.trim().split('\n').slice(-2).join(' | ') || `exit ${result.code}`}`);
  return result.stdout.trim();
}

export async function configure(execute: Execute, root: string, manifestText: string, now = Date.now()): Promise<{ instance: string; unique: string }> {
  const manifest = parseManifest(manifestText);
  // Clock and chance together: two configures of one app in the same millisecond still get two instances.
  const instance = `${manifest.proid}.${manifest.name}#${String((now % 1e7) * 1000 + randomInt(1000)).padStart(10, '0')}`;
  const uniqueId = newUniqueId();
  const unique = uniqueName(instance, uniqueId);
  const [service] = manifest.services;
  const spec: ContainerSpec = {
    root, unique, uniqueId, instance, proid: manifest.proid, service: service!.name, command: service!.command, image: manifest.image,
    memoryBytes: memoryBytes(manifest.memory), environ: Object.fromEntries(manifest.environ.map((e) => [e.name, e.value])),
  };
  const appJson = JSON.stringify({ ...manifest, name: instance, uniqueid: uniqueId });
  await must(execute, `configure ${instance}`, configureScript(spec, stringify(manifest), appJson));
  return { instance, unique };
}

export async function act(execute: Execute, root: string, action: ContainerAction, instance: string, unique: string): Promise<string> {
  const script = { start: startScript, stop: stopScript, terminate: terminateScript, remove: removeScript }[action];
  return must(execute, `${action} ${instance}`, action === 'stop' ? stopScript(root, instance) : script(root, instance, unique));
}
