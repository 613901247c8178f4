import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { streamLines } from '../nodes/stream-exec.js';
import { localShellChannel } from '../nodes/test-support/local-shell.js';
import { rescanScript, scanSession } from './container-rescan-script.js';
import { addEvent, emptyBatch, parseWatchLine } from './container-watch-events.js';
import { scopedScript, watchScript } from './container-watch-script.js';
import { emptyNodeScanState } from './node-scan-state.js';
import { applyScopedOutput, lineScope } from './scoped-rescan.js';
import { applyListingOutput } from './scan-delta.js';
import { scannedRow } from './container-service.js';
import type { ScanApplied } from './node-scan-state.js';
import { hasInotify } from './test-support/has-inotify.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function lab(count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-watch-'));
  dirs.push(dir);
  const root = join(dir, 'root');
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bench', 'containers-layout.mjs'), root, String(count)]);
  mkdirSync(join(dir, 'home'));
  const run = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: join(dir, 'home') } });
  /** The full listing as a shell rescan prints it, by line. */
  const listing = () => applyListingOutput(null, run(rescanScript(root, scanSession('abc123', `${root}-${Math.random()}`), 0, 1))).listing!;
  return { root, run, listing };
}

describe('the scoped script prints what a shell rescan prints for those folders', () => {
  it('containers, links, tombstones, cache, archives and events, present or gone', () => {
    const node = lab(30);
    const full = node.listing();
    const all = [...full.lines];
    // One scope of each kind the layout has, and two that name nothing.
    const scopes = new Set<string>(['apps/proid.gone-0000000999-U000000000999', 'running/proid.none#0000000999']);
    for (const prefix of ['@app ', '@link running/', '@link cleanup/', '@tomb tombstones/running/', '@cache ', '@archive ', '@event ']) {
      const line = all.find((l) => l.startsWith(prefix));
      if (line) scopes.add(lineScope(line)!);
    }
    expect(scopes.size).toBeGreaterThan(5);
    const out = node.run(scopedScript(node.root, scopes));
    const printed = out.split('\n').filter((l) => /^@(app|has|big|file|link|tomb|cache|archive|event) /.test(l));
    expect(printed.sort()).toEqual(all.filter((l) => scopes.has(lineScope(l) ?? '')).sort());
    // The text of the container's files comes too (the manifest at least).
    const app = [...scopes].find((s) => s.startsWith('apps/proid.app'))!;
    expect(out.split('\n').some((l) => l.startsWith(`${app}/data/app.json:`))).toBe(true);
  });

  it('refuses a scope that is not a container directory or a small folder’s entry, and quotes every name', () => {
    const node = lab(2);
    expect(() => scopedScript(node.root, ['etc/passwd'])).toThrow(/not a folder/);
    expect(() => scopedScript(node.root, ['apps/..'])).toThrow(/not a folder/);
    // A hostile name is a word, never code.
    const out = node.run(scopedScript(node.root, ["apps/x'; touch slipway-pwned; '", "running/$(touch slipway-pwned)"]));
    expect(existsSync(join(node.root, 'slipway-pwned'))).toBe(false);
    expect(out).toMatch(/^@now /);
  });
});

describe.runIf(hasInotify)('the watcher (real inotifywait over a local root)', () => {
  it('says when its watches are set, names the folders that change, and ends when its channel closes', async () => {
    const node = lab(20);
    const lines: string[] = [];
    const errors: string[] = [];
    let closed = false;
    const channel = localShellChannel(watchScript(node.root));
    const stream = streamLines(channel, { line: (l) => lines.push(l), errorLine: (l) => errors.push(l), closed: () => (closed = true) });
    // A state, not a time: a loaded machine may take long; the bound only ends a stuck test.
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 6000 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(what()).toBe(true);
    };
    // stdout and stderr are two pipes: the `@watcher` line may come after inotifywait's word.
    await until(() => errors.includes('Watches established.') && lines.length > 0);
    const started = parseWatchLine(lines[0]!);
    // The root, apps/, 20 containers and their data/, and the small folders the layout has.
    expect(started).toMatchObject({ kind: 'started' });
    expect(started.kind === 'started' && started.paths).toBeGreaterThan(42);
    const apps = join(node.root, 'apps');
    const unique = readdirSync(apps)[0]!;
    writeFileSync(join(apps, unique, 'data', 'oom'), '');
    mkdirSync(join(apps, 'proid.new-0000000100-U000000000100'));
    symlinkSync(`../apps/${unique}`, join(node.root, 'cleanup', 'proid.x#0000000001'));
    await until(() => lines.some((l) => l.includes('cleanup/proid.x#0000000001')));
    const batch = emptyBatch();
    for (const line of lines) {
      const parsed = parseWatchLine(line);
      if (parsed.kind === 'event') addEvent(batch, parsed.events, parsed.path);
    }
    expect(batch.full).toBeNull();
    expect([...batch.scopes].sort()).toEqual([`apps/${unique}`, 'apps/proid.new-0000000100-U000000000100', 'cleanup/proid.x#0000000001'].sort());
    expect([...batch.unwatched]).toEqual(['proid.new-0000000100-U000000000100']);
    // The scoped rescan of what the events named brings the held listing to the node's.
    const state = emptyNodeScanState();
    state.listing = { ...node.listing(), gen: 1 };
    const { indexListing } = await import('./listing-index.js');
    state.index = indexListing(state.listing.lines);
    const applied = applyScopedOutput(state, batch.scopes, node.run(scopedScript(node.root, batch.scopes)), (c, m) => scannedRow('n', c, m)) as ScanApplied;
    expect(new Set(state.listing.lines)).toEqual(new Set(node.listing().lines));
    expect(applied.mode).toBe('delta');
    stream.close();
    await until(() => closed);
  }, 150_000);

  it('a node without inotifywait says so and ends', async () => {
    const node = lab(1);
    const out = execFileSync('/bin/sh', ['-c', watchScript(node.root)], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
    expect(parseWatchLine(out.trim())).toEqual({ kind: 'unavailable', reason: 'inotifywait is not installed on the node (Debian: inotify-tools)' });
  });
});
