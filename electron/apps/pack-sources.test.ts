import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppDefinition } from '../../shared/contract/apps.js';
import { execaRunner } from '../process/runner.js';
import { packSources } from './pack-sources.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('packSources (real tar)', () => {
  it('finding 5: sources named like tar options are packed as files, and run nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-pack-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'src'));
    const checkpoint = join(dir, 'src', '--checkpoint=1');
    // A name holding "/" cannot be a file: the action touches a relative file, in tar's working directory.
    const relativeAction = join(dir, 'src', '--checkpoint-action=exec=touch pwned');
    for (const file of [checkpoint, relativeAction]) writeFileSync(file, 'data');
    const definition = AppDefinition.parse({ name: 'hostile', run: 'true', sources: [checkpoint, relativeAction] });
    const packed = await packSources(execaRunner, definition, join(dir, 'run'));
    expect(existsSync(join(dir, 'run', 'pwned'))).toBe(false);
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'src', 'pwned'))).toBe(false);
    expect(execFileSync('tar', ['-t', '-f', packed.sourcesTar], { encoding: 'utf8' }).split('\n').filter(Boolean).sort()).toEqual(['./--checkpoint-action=exec=touch pwned', './--checkpoint=1', './stdin']);
  });
});
