import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeExtension, listExtensions } from './extension-catalog.js';

describe('extension catalog', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists executables with the first comment as description, skipping the rest', () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-ext-'));
    writeFileSync(join(dir, 'set-hostname.configure'), '#!/bin/sh\n# Set the deployed system\'s hostname from $HOSTNAME\nset -e\n');
    chmodSync(join(dir, 'set-hostname.configure'), 0o755);
    writeFileSync(join(dir, 'README'), 'not an extension');
    writeFileSync(join(dir, 'notes.configure'), '#!/bin/sh\n');
    expect(listExtensions([dir, join(dir, 'missing')])).toEqual([
      { name: 'set-hostname.configure', path: join(dir, 'set-hostname.configure'), description: "Set the deployed system's hostname from $HOSTNAME" },
    ]);
  });

  it('skips editor and linter pragmas', () => {
    expect(describeExtension('#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# shellcheck: disable\n# Add users\n')).toBe('Add users');
    expect(describeExtension('#!/bin/sh\necho hi\n')).toBe('');
  });
});
