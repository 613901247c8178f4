import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * What a build acquired, written and fsynced before the step that uses it
 * runs. A resource is journalled *before* it is acquired (a loop device by its
 * backing file, a mount by its target), so a crash in between leaves nothing
 * the journal does not name.
 */
export const Resource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dir'), path: z.string() }),
  z.object({ kind: z.literal('file'), path: z.string() }),
  z.object({ kind: z.literal('loop'), file: z.string() }),
  z.object({ kind: z.literal('mount'), target: z.string() }),
]);
export type Resource = z.infer<typeof Resource>;

const Entry = z.discriminatedUnion('op', [
  z.object({ op: z.literal('acquire'), resource: Resource }),
  z.object({ op: z.literal('release'), resource: Resource }),
]);
type Entry = z.infer<typeof Entry>;

export function describeResource(resource: Resource): string {
  switch (resource.kind) {
    case 'dir':
      return `directory ${resource.path}`;
    case 'file':
      return `file ${resource.path}`;
    case 'loop':
      return `loop device(s) backed by ${resource.file}`;
    case 'mount':
      return `mount at ${resource.target}`;
  }
}

const sameResource = (a: Resource, b: Resource) => JSON.stringify(a) === JSON.stringify(b);

/** Resources acquired and not released, oldest first (release them in reverse). */
export function outstanding(entries: readonly Entry[]): Resource[] {
  const held: Resource[] = [];
  for (const entry of entries) {
    if (entry.op === 'acquire') held.push(entry.resource);
    else {
      const index = held.findLastIndex((r) => sameResource(r, entry.resource));
      if (index >= 0) held.splice(index, 1);
    }
  }
  return held;
}

export function readJournal(path: string): Entry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const entries: Entry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    // A torn last line (crash mid-write) is skipped; every earlier line was fsynced whole.
    try {
      const parsed = Entry.safeParse(JSON.parse(line));
      if (parsed.success) entries.push(parsed.data);
    } catch {
      continue;
    }
  }
  return entries;
}

function endsTorn(path: string): boolean {
  try {
    const text = readFileSync(path);
    return text.length > 0 && text[text.length - 1] !== 0x0a;
  } catch {
    return false;
  }
}

export class Journal {
  constructor(readonly path: string) {}

  private append(entry: Entry): void {
    // After a torn last line (a crash mid-write) start a fresh line, or this entry would be lost with it.
    appendFileSync(this.path, `${endsTorn(this.path) ? '\n' : ''}${JSON.stringify(entry)}\n`);
    const fd = openSync(this.path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  acquire(resource: Resource): void {
    this.append({ op: 'acquire', resource });
  }

  release(resource: Resource): void {
    this.append({ op: 'release', resource });
  }

  outstanding(): Resource[] {
    return outstanding(readJournal(this.path));
  }
}
