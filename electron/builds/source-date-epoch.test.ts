import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeService, testSpec } from './test-support/build-harness.js';

/** SOURCE_DATE_EPOCH of the backend's process: the default for specs that name no epoch. */
describe('SOURCE_DATE_EPOCH', () => {
  const out = join(tmpdir(), 'slipway-sde-out');
  const services = [makeService(), makeService({ sourceDateEpoch: '1700000000' }), makeService({ sourceDateEpoch: 'yesterday' })];
  const [plain, fromEnv, malformed] = services.map((s) => s.service);
  afterAll(async () => {
    for (const s of services) await s.helpers.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('fills the spec: the same spec hash as a spec that names the epoch itself', () => {
    const named = plain!.validate(testSpec(out, { sourceDateEpoch: 1_700_000_000 }));
    const filled = fromEnv!.validate(testSpec(out));
    expect(filled.problems).toEqual([]);
    expect(filled.specHash).toBe(named.specHash);
    expect(filled.specHash).not.toBe(plain!.validate(testSpec(out)).specHash);
  });

  it('never overrides the spec\'s own epoch', () => {
    expect(fromEnv!.validate(testSpec(out, { sourceDateEpoch: 5 })).specHash).toBe(plain!.validate(testSpec(out, { sourceDateEpoch: 5 })).specHash);
  });

  it('refuses a malformed value by name, whether it came from the environment or the spec', () => {
    expect(malformed!.validate(testSpec(out)).problems).toEqual([{ field: 'sourceDateEpoch', message: 'must be whole seconds since 1970-01-01 (as SOURCE_DATE_EPOCH)' }]);
    expect(plain!.validate(testSpec(out, { sourceDateEpoch: -1 })).problems.map((p) => p.field)).toEqual(['sourceDateEpoch']);
    expect(plain!.validate(testSpec(out, { sourceDateEpoch: 2 ** 32 })).problems[0]!.message).toMatch(/before 2106/);
  });
});
