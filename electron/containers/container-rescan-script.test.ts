import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseScan, parseScanLines, scanScript } from './container-scan.js';
import { rescanScript, scanSession } from './container-rescan-script.js';
import { applyListingOutput, listingLines, type NodeListing } from './scan-delta.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A Treadmill root of `count` containers (the bench's layout) and a home for the node's scan state. */
function lab(count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-rescan-'));
  dirs.push(dir);
  const root = join(dir, 'root');
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bench', 'containers-layout.mjs'), root, String(count)]);
  // Written a while ago, as a node's containers are: no directory is newer than the first scan's marker.
  execFileSync('find', [root, '-exec', 'touch', '-h', '-d', '@1700000000', '{}', '+']);
  mkdirSync(join(dir, 'home'));
  const session = scanSession('abc123', root);
  const run = (script: string, home = join(dir, 'home')) => execFileSync('sh', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home } });
  let held: NodeListing | null = null;
  const rescan = (home?: string) => {
    const applied = applyListingOutput(held, run(rescanScript(root, session, held?.gen ?? 0, (held?.gen ?? 0) + 1), home));
    held = applied.listing;
    return applied;
  };
  return { dir, root, session, run, rescan, held: () => held! };
}

const rowsOf = (listing: NodeListing, transient: string[]) => parseScanLines(listingLines(listing, transient)).containers.map((c) => [c.name.unique, c.status.state, c.manifest?.memory]);

describe('a rescan prints only what changed on the node', () => {
  it('first scan: everything, and it says so; its rows are the full scan’s rows', () => {
    const node = lab(40);
    const first = node.rescan();
    expect(first.mode).toBe('full');
    const full = parseScan(node.run(scanScript(node.root, 0)));
    expect(rowsOf(node.held(), first.transient).sort()).toEqual(full.containers.map((c) => [c.name.unique, c.status.state, c.manifest?.memory]).sort());
    expect(full.containers).toHaveLength(40);
    expect(first.added.length).toBeGreaterThan(40 * 3);
    // The state is private: the directory 700, in the home's cache.
    const state = join(node.dir, 'home', '.cache', 'slipway', 'container-scans', node.session);
    expect(statSync(state).mode & 0o777).toBe(0o700);
    expect(readdirSync(state).sort()).toEqual(['gen', 'listing', 'marker']);
  });

  it('a rescan of an unchanged node sends no lines; a change sends its lines and the text of new files', () => {
    const node = lab(40);
    node.rescan();
    const idle = node.rescan();
    expect(idle).toMatchObject({ mode: 'delta', added: [], removed: [] });
    // A running container ends out of memory, one is removed, one is configured, an event is written.
    const apps = join(node.root, 'apps');
    const ending = 'proid.app0-0000000000-U000000000000';
    writeFileSync(join(apps, ending, 'data', 'oom'), '');
    rmSync(join(apps, 'proid.app3-0000000003-U000000000003'), { recursive: true });
    const made = 'proid.new-0000000100-U000000000100';
    mkdirSync(join(apps, made, 'data'), { recursive: true });
    writeFileSync(join(apps, made, 'data', 'app.json'), JSON.stringify({ proid: 'proid', memory: '99M', services: [{ name: 'web' }] }));
    writeFileSync(join(apps, made, 'down'), '');
    writeFileSync(join(node.root, 'appevents', `1800000000.10,proid.new#0000000100,configured,U000000000100`), '');
    const delta = node.rescan();
    expect(delta.mode).toBe('delta');
    expect(delta.added.filter((l) => !l.startsWith('@app '))).toEqual(
      expect.arrayContaining([`@has apps/${ending}/data/oom`, `@has apps/${made}/down`, expect.stringMatching(new RegExp(`^@file apps/${made}/data/app.json `)), '@event 1800000000.10,proid.new#0000000100,configured,U000000000100']),
    );
    expect(delta.removed.some((l) => l.includes('proid.app3-0000000003'))).toBe(true);
    // Few lines for a few changes: not the node's whole listing.
    expect(delta.added.length + delta.removed.length).toBeLessThan(20);
    const rows = new Map(rowsOf(node.held(), delta.transient).map((r) => [r[0], r]));
    expect(rows.get(ending)?.[1]).toBe('killed');
    expect(rows.get(made)).toEqual([made, 'configured', '99M']);
    expect(rows.has('proid.app3-0000000003-U000000000003')).toBe(false);
    // The listing held is the node's listing: a full scan reads the same rows.
    const full = parseScan(node.run(scanScript(node.root, 0)));
    expect([...rows.values()].sort()).toEqual(full.containers.map((c) => [c.name.unique, c.status.state, c.manifest?.memory]).sort());
  });

  it('a lost answer or lost state gives a full scan, never a wrong delta; no writable home: /tmp, private', () => {
    const node = lab(5);
    node.rescan();
    // The backend asks from a generation the node does not hold (its last answer was lost).
    const out = node.run(rescanScript(node.root, node.session, 7, 8));
    expect(out).toMatch(/^@state full 7 8$/m);
    // A delta on top of the wrong generation is refused.
    expect(() => applyListingOutput({ gen: 3, lines: new Set(), contents: new Map() }, out.replace('@state full', '@state delta'))).toThrow('scan 3 is held');
    // Home not writable (a file, not a directory: root writes anywhere else): the state goes under /tmp/slipway-<uid>, 700.
    writeFileSync(join(node.dir, 'no-home'), '');
    const applied = node.rescan(join(node.dir, 'no-home'));
    expect(applied.mode).toBe('full');
    const uid = process.getuid!();
    expect(statSync(`/tmp/slipway-${uid}/container-scans`).mode & 0o777).toBe(0o700);
    expect(statSync(join(`/tmp/slipway-${uid}/container-scans`, node.session)).mode & 0o777).toBe(0o700);
    rmSync(join(`/tmp/slipway-${uid}/container-scans`, node.session), { recursive: true, force: true });
  });

  it('a state directory someone else planted (a symlink) is not used: the scan is full and says it keeps no state', () => {
    const node = lab(3);
    const home = join(node.dir, 'home2');
    mkdirSync(join(home, '.cache', 'slipway'), { recursive: true });
    mkdirSync(join(node.dir, 'elsewhere'));
    symlinkSync(join(node.dir, 'elsewhere'), join(home, '.cache', 'slipway', 'container-scans'));
    const out = node.run(rescanScript(node.root, node.session, 0, 1), home);
    // Falls back to /tmp/slipway-<uid> (ours): a state there, none in the planted directory.
    expect(readdirSync(join(node.dir, 'elsewhere'))).toEqual([]);
    expect(out).toMatch(/^@state full 0 1$/m);
    rmSync(join(`/tmp/slipway-${process.getuid!()}/container-scans`, node.session), { recursive: true, force: true });
  });

  it('the walk runs in parallel parts; when a part cannot be made it walks again in one process, and the listing is the same', () => {
    // 240 containers: four parts of 60 (a list under 200 is walked in one process).
    const node = lab(240);
    const parallel = node.rescan();
    // A mktemp that refuses the parts' files (as a full /tmp would), and only those: every part fails, xargs says 124.
    const bin = join(node.dir, 'bin');
    mkdirSync(bin);
    const real = execFileSync('sh', ['-c', 'command -v mktemp'], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin, 'mktemp'), `#!/bin/sh\ncase "$*" in *part.*) exit 1;; esac\nexec ${real} "$@"\n`, { mode: 0o755 });
    const home = join(node.dir, 'home-serial');
    mkdirSync(home);
    const serial = applyListingOutput(null, execFileSync('sh', ['-c', rescanScript(node.root, node.session, 0, 1)], { encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}`, HOME: home } }));
    expect(serial.mode).toBe('full');
    expect([...serial.listing!.lines].sort()).toEqual([...parallel.listing!.lines].sort());
    expect(new Map(serial.listing!.contents)).toEqual(new Map(parallel.listing!.contents));
    // Every container's manifest, and the finish files of those that ended.
    expect(serial.listing!.contents.size).toBeGreaterThan(240);
    // And both are what the one-walk full scan reads.
    const full = parseScan(node.run(scanScript(node.root, 0)));
    expect(rowsOf(serial.listing!, serial.transient).sort()).toEqual(full.containers.map((c) => [c.name.unique, c.status.state, c.manifest?.memory]).sort());
  });

  it('values reach the node as quoted words only', () => {
    expect(rescanScript("/srv/tm'; rm -rf /; '", scanSession('abc123', '/x'), 0, 1)).toContain(`cd '/srv/tm'\\''; rm -rf /; '\\'''`);
    expect(() => scanSession('../x', '/srv')).toThrow('not a scan session id');
  });
});
