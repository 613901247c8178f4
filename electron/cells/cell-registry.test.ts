import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { addCell, CellRegistryError, readCells } from './cell-registry.js';

describe('cell registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cells-'));
  const path = join(dir, 'cells.yaml');
  afterEach(() => rmSync(path, { force: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a bad name by name, quoted and cut, and writes nothing', () => {
    expect(() => addCell('../x', 'zookeeper://127.0.0.1:2181/', path)).toThrow(new CellRegistryError('cell name "../x": a cell name is 1-63 of a-z, 0-9, _ and -, starting with a letter or digit'));
    expect(() => addCell('\u001b[2J'.repeat(100), 'zookeeper://127.0.0.1:2181/', path)).toThrow(/^cell name "(\\u001b\[2J){20}": /);
    expect(existsSync(path)).toBe(false);
  });

  it('adds, replaces by name and keeps the file sorted', () => {
    addCell('b', 'zookeeper://127.0.0.1:2181/', path);
    addCell('a', 'zookeeper://127.0.0.1:2182/', path);
    addCell('b', 'zookeeper://127.0.0.1:2183/treadmill', path);
    expect(readCells(path)).toEqual([
      { name: 'a', url: 'zookeeper://127.0.0.1:2182/' },
      { name: 'b', url: 'zookeeper://127.0.0.1:2183/treadmill' },
    ]);
  });
});
