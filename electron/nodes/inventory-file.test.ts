import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryPath, InventoryError, loadInventory, saveInventory } from './inventory-file.js';

describe('inventory file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-inv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lives in the XDG config directory unless told otherwise', () => {
    expect(inventoryPath({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/slipway/nodes.yaml');
    expect(inventoryPath({ SLIPWAY_INVENTORY: '/x.yaml' })).toBe('/x.yaml');
  });

  it('round-trips nodes with defaults filled, private to the user', () => {
    const path = join(dir, 'sub', 'nodes.yaml');
    expect(loadInventory(path)).toEqual([]);
    saveInventory(path, [{ name: 'n1', host: '127.0.0.10', port: 2222, user: 'root', identity: null, jump: null, labels: ['rack=1'] }]);
    expect(loadInventory(path)).toEqual([{ name: 'n1', host: '127.0.0.10', port: 2222, user: 'root', identity: null, jump: null, labels: ['rack=1'] }]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('name: n1');
  });

  it('names the bad field of a damaged file, and refuses duplicate names', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'nodes:\n  - name: ok\n    host: h\n  - name: two\n    host: h\n    port: 70000\n');
    expect(() => loadInventory(path)).toThrow(InventoryError);
    expect(() => loadInventory(path)).toThrow(/nodes\.1\.port/);
    writeFileSync(path, 'nodes:\n  - { name: a, host: h }\n  - { name: a, host: g }\n');
    expect(() => loadInventory(path)).toThrow(/duplicate node name a/);
  });

  it('names the file of one that is not YAML, and never blocks on or swallows what is not a file', () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'nodes:\n  - name: a\n   host: [\n');
    expect(() => loadInventory(path)).toThrow(new RegExp(`^${path}: not valid YAML: .*line`));
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    // No writer: a blocking open would hang this test.
    expect(() => loadInventory(fifo)).toThrow(`${fifo}: not a regular file`);
    expect(() => loadInventory(dir)).toThrow(`${dir}: not a regular file`);
  });
});
