import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeResource, Journal, outstanding, readJournal, type Resource } from './journal.js';

const dir = (path: string): Resource => ({ kind: 'dir', path });
const file = (path: string): Resource => ({ kind: 'file', path });
const loop = (path: string): Resource => ({ kind: 'loop', file: path });
const mount = (target: string): Resource => ({ kind: 'mount', target });
const acquire = (resource: Resource) => ({ op: 'acquire' as const, resource });
const release = (resource: Resource) => ({ op: 'release' as const, resource });

describe('outstanding', () => {
  it('is empty for no entries and for every acquire released', () => {
    expect(outstanding([])).toEqual([]);
    expect(outstanding([acquire(dir('/w/b')), acquire(file('/w/b/root.img')), release(file('/w/b/root.img')), release(dir('/w/b'))])).toEqual([]);
  });

  it('keeps what was acquired and not released, oldest first', () => {
    const entries = [
      acquire(dir('/w/b')),
      acquire(file('/w/b/root.img')),
      acquire(loop('/w/b/root.img')),
      acquire(mount('/w/b/root')),
      release(loop('/w/b/root.img')),
      acquire(mount('/w/b/root/proc')),
    ];
    expect(outstanding(entries)).toEqual([dir('/w/b'), file('/w/b/root.img'), mount('/w/b/root'), mount('/w/b/root/proc')]);
  });

  it('pairs a release with the most recent identical acquire', () => {
    // The same mount point acquired twice (mounted, then mounted over): one release frees the newer one.
    const entries = [acquire(mount('/w/b/root')), acquire(file('/w/b/x')), acquire(mount('/w/b/root')), release(mount('/w/b/root'))];
    const held = outstanding(entries);
    expect(held).toEqual([mount('/w/b/root'), file('/w/b/x')]);
  });

  it('matches kind and value: a release of another resource frees nothing', () => {
    const entries = [acquire(file('/w/b/root.img')), release(loop('/w/b/root.img')), release(file('/w/b/other.img')), release(dir('/w/b'))];
    expect(outstanding(entries)).toEqual([file('/w/b/root.img')]);
  });

  it('ignores a release of something never acquired, and a second release', () => {
    const entries = [release(mount('/m')), acquire(mount('/m')), release(mount('/m')), release(mount('/m')), acquire(dir('/d'))];
    expect(outstanding(entries)).toEqual([dir('/d')]);
  });
});

describe('describeResource', () => {
  it.each<[Resource, string]>([
    [dir('/w/b'), 'directory /w/b'],
    [file('/w/b/root.img'), 'file /w/b/root.img'],
    [loop('/w/b/root.img'), 'loop device(s) backed by /w/b/root.img'],
    [mount('/w/b/root/var'), 'mount at /w/b/root/var'],
  ])('%j → %s', (resource, text) => {
    expect(describeResource(resource)).toBe(text);
  });
});

describe('journal file', () => {
  let base: string;
  let path: string;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'slipway-journal-'));
    path = join(base, 'journal.jsonl');
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('reads nothing from a missing file', () => {
    expect(readJournal(join(base, 'missing.jsonl'))).toEqual([]);
    expect(new Journal(join(base, 'missing.jsonl')).outstanding()).toEqual([]);
  });

  it('appends one JSON line per entry and reads them back', () => {
    const journal = new Journal(path);
    journal.acquire(dir(base));
    journal.acquire(file(join(base, 'root.img')));
    journal.acquire(loop(join(base, 'root.img')));
    journal.release(file(join(base, 'root.img')));

    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual({ op: 'acquire', resource: { kind: 'dir', path: base } });
    expect(readJournal(path)).toEqual([
      acquire(dir(base)),
      acquire(file(join(base, 'root.img'))),
      acquire(loop(join(base, 'root.img'))),
      release(file(join(base, 'root.img'))),
    ]);
    expect(journal.outstanding()).toEqual([dir(base), loop(join(base, 'root.img'))]);
  });

  it('a second Journal on the same file sees what the first wrote (as recovery does)', () => {
    new Journal(path).acquire(mount('/w/b/root'));
    const reopened = new Journal(path);
    reopened.acquire(mount('/w/b/root/proc'));
    reopened.release(mount('/w/b/root/proc'));
    expect(new Journal(path).outstanding()).toEqual([mount('/w/b/root')]);
  });

  it('skips a torn last line', () => {
    writeFileSync(path, `${JSON.stringify(acquire(dir('/w/b')))}\n${JSON.stringify(acquire(mount('/w/b/root')))}\n{"op":"acquire","resource":{"kind":"lo`);
    expect(readJournal(path)).toEqual([acquire(dir('/w/b')), acquire(mount('/w/b/root'))]);
  });

  it('skips blank lines and lines that are JSON but not entries', () => {
    const lines = [
      JSON.stringify(acquire(dir('/w/b'))),
      '',
      '   ',
      JSON.stringify({ op: 'borrow', resource: dir('/x') }),
      JSON.stringify({ op: 'acquire', resource: { kind: 'socket', path: '/x' } }),
      JSON.stringify({ op: 'acquire', resource: { kind: 'mount' } }),
      '42',
      'null',
      'not json at all',
      JSON.stringify(release(dir('/w/b'))),
    ];
    writeFileSync(path, `${lines.join('\n')}\n`);
    expect(readJournal(path)).toEqual([acquire(dir('/w/b')), release(dir('/w/b'))]);
  });

  it('pairs entries whatever the key order on disk', () => {
    writeFileSync(path, ['{"resource":{"path":"/w/b","kind":"dir"},"op":"acquire"}', '{"op":"release","resource":{"kind":"dir","path":"/w/b"}}', ''].join('\n'));
    expect(new Journal(path).outstanding()).toEqual([]);
  });

  // Regression (a bug once): Journal.append does not start a new line after a torn last line,
  // so the first entry written after a crash is glued onto the torn line and lost.
  it('an entry appended after a torn last line is still read', () => {
    writeFileSync(path, `${JSON.stringify(acquire(dir('/w/b')))}\n{"op":"acquire","resource":{"kind":"mo`);
    const journal = new Journal(path);
    journal.release(dir('/w/b'));
    expect(journal.outstanding()).toEqual([]);
  });
});
