import { describe, expect, it } from 'vitest';
import { addEvent, emptyBatch, parseWatchLine, type WatchBatch } from './container-watch-events.js';

/** inotifywait's lines (`@ev %e %w%f`, paths as the watch list gives them) into one batch. */
function batchOf(...lines: string[]): WatchBatch {
  const batch = emptyBatch();
  for (const line of lines) {
    const parsed = parseWatchLine(line);
    if (parsed.kind !== 'event') throw new Error(`not an event: ${line}`);
    addEvent(batch, parsed.events, parsed.path);
  }
  return batch;
}

describe('watcher lines', () => {
  it('reads the watcher’s own lines', () => {
    expect(parseWatchLine('@watcher 4242 20013 /tmp/tmp.Ab12')).toEqual({ kind: 'started', pid: 4242, paths: 20013, sync: '/tmp/tmp.Ab12' });
    expect(parseWatchLine('@ended 1')).toEqual({ kind: 'ended', code: 1 });
    expect(parseWatchLine('@nowatch inotifywait is not installed')).toEqual({ kind: 'unavailable', reason: 'inotifywait is not installed' });
    expect(parseWatchLine('@ev CREATE,ISDIR apps/a b')).toEqual({ kind: 'event', events: ['CREATE', 'ISDIR'], path: 'apps/a b' });
    expect(parseWatchLine('@ev Q_OVERFLOW ')).toEqual({ kind: 'event', events: ['Q_OVERFLOW'], path: '' });
    expect(parseWatchLine('Watches established.')).toEqual({ kind: 'other', text: 'Watches established.' });
  });

  it('names a container for any change in it or its data/, and asks a watch for a new one', () => {
    const u = 'proid.web-0000000001-U000000000001';
    expect(batchOf(`@ev CREATE apps/${u}/data/oom`, `@ev ATTRIB apps/${u}/data/oom`, `@ev CREATE ${u.replace(/^/, 'apps/')}/down`, `@ev DELETE_SELF apps/${u}/data/`)).toEqual({ scopes: new Set([`apps/${u}`]), unwatched: new Set(), full: null });
    expect(batchOf('@ev CREATE,ISDIR apps/n', '@ev MOVED_TO,ISDIR apps/m', '@ev CREATE,ISDIR apps/k/data', '@ev DELETE,ISDIR apps/gone')).toEqual({
      scopes: new Set(['apps/n', 'apps/m', 'apps/k', 'apps/gone']),
      unwatched: new Set(['n', 'm', 'k']),
      full: null,
    });
    // The watch on apps/ itself: nothing to read.
    expect(batchOf('@ev ATTRIB apps/')).toEqual(emptyBatch());
  });

  it('names one entry of a small folder', () => {
    expect([...batchOf('@ev CREATE running/proid.web#0000000001', '@ev DELETE cleanup/x', '@ev MOVED_TO tombstones/running/proid.a#1,1.5,0,0', '@ev CREATE cache/proid.b#2', '@ev MODIFY archives/u.sys.tar.gz', '@ev CREATE appevents/1.5,proid.a#1,configured,x').scopes]).toEqual([
      'running/proid.web#0000000001',
      'cleanup/x',
      'tombstones/running/proid.a#1,1.5,0,0',
      'cache/proid.b#2',
      'archives/u.sys.tar.gz',
      'appevents/1.5,proid.a#1,configured,x',
    ]);
  });

  it('asks for a full rescan when events cannot say what changed', () => {
    expect(batchOf('@ev Q_OVERFLOW ').full).toMatch(/overflowed/);
    expect(batchOf('@ev MOVE_SELF running/').full).toBe('running/ was moved or removed');
    expect(batchOf('@ev DELETE_SELF apps/').full).toBe('apps/ was moved or removed');
    expect(batchOf('@ev CREATE,ISDIR ./cleaning').full).toBe('cleaning/ appeared or went');
    expect(batchOf('@ev CREATE,ISDIR tombstones/services').full).toBe('tombstones/services/ appeared or went');
    expect(batchOf('@ev DELETE_SELF ./').full).toBe('the node root was moved or removed');
    // Something else at the root is not Treadmill's: nothing.
    expect(batchOf('@ev CREATE ./notes.txt')).toEqual(emptyBatch());
  });
});
