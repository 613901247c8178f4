import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { specHash } from '../builds/spec-hash.js';
import { parseSpecText } from '../../shared/builds/spec-text.js';
import { oneImageSpec, writeCachedOutput } from '../builds/test-support/cached-output.js';
import { runBuild } from './build.js';

// A cache-hit rebuild is mostly start-up: `slipway build` loads none of these (each fails this file if it is imported).
vi.mock('execa', () => {
  throw new Error('execa was loaded');
});
vi.mock('ssh2', () => {
  throw new Error('ssh2 was loaded');
});
vi.mock('../app/real-backend.js', () => {
  throw new Error('the real backend was loaded');
});

describe('slipway build, in process', () => {
  let dir: string;
  let written: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-cli-build-'));
    mkdirSync(join(dir, 'out'));
    vi.stubEnv('SLIPWAY_WORKSPACE', join(dir, 'work'));
    vi.stubEnv('SLIPWAY_STATE_DIR', join(dir, 'state'));
    vi.stubEnv('SLIPWAY_IMAGES_DIR', join(dir, 'images'));
    vi.stubEnv('NO_COLOR', '1');
    written = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += chunk.toString();
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an identical rebuild is a cache hit that names the artifacts in place', async () => {
    const spec = oneImageSpec(join(dir, 'out'));
    const parsed = parseSpecText(spec);
    if (!parsed.ok) throw new Error('the fixture spec is invalid');
    const artifact = writeCachedOutput(join(dir, 'out'), specHash(parsed.spec));
    writeFileSync(join(dir, 'spec.yaml'), spec);

    expect(await runBuild({ spec: join(dir, 'spec.yaml'), json: false, cleanup: false, verbose: false, host: null })).toBe(0);
    expect(written).toMatch(/^\ncache hit lab in \d+\.\ds \(build \d{8}-[0-9a-f]{8}\)\n/);
    expect(written).toContain(`  ${artifact}\n`);
    expect(written).toContain(`  metadata ${join(dir, 'out', 'lab.yaml')}\n`);
  });

  it('--cleanup with nothing left behind says so', async () => {
    expect(await runBuild({ spec: null, json: false, cleanup: true, verbose: false, host: null })).toBe(0);
    expect(written).toBe('nothing to clean: no build was left behind\n');
  });
});
