import { describe, expect, it } from 'vitest';
import { parseInstance, parseUnique, uniqueName } from './instance-name.js';

describe('Treadmill names', () => {
  it('parses unique names as Treadmill writes them, both ways', () => {
    expect(parseUnique('proid.myapp-001-0000000ID1234')).toEqual({
      proid: 'proid', app: 'proid.myapp', instanceId: '001', instance: 'proid.myapp#001', unique: 'proid.myapp-001-0000000ID1234', uniqueId: '0000000ID1234',
    });
    expect(parseUnique('proid.myapp-0-00000000AAAAA')?.instance).toBe('proid.myapp#0');
    expect(parseInstance('proid.app#0000000001')).toEqual({ proid: 'proid', app: 'proid.app', instance: 'proid.app#0000000001', instanceId: '0000000001' });
    expect(uniqueName('proid.app#0000000001', '0000000ID1234')).toBe('proid.app-0000000001-0000000ID1234');
    expect(parseUnique(uniqueName('proid.web.frontend#42', 'AAAAAAAAAAAAA'))?.instance).toBe('proid.web.frontend#42');
  });

  it('accepts every name Treadmill\'s schema accepts (common.json app_id, instance_id), both ways', () => {
    // Upper case, '_' and '-' in the proid; the user@proid.app form of Treadmill's own tests (api/instance_test.py).
    for (const [instance, proid] of [['Proid_X-1.app#0000000001', 'Proid_X-1'], ['foo@bar.baz#123', 'bar'], ['app_run-foo@a-b.bar#1234567890', 'a-b'], ['ab.c.d-e_f#0', 'ab']] as const) {
      const parsed = parseInstance(instance);
      expect(parsed).toMatchObject({ instance, proid });
      // gen_uniqueid's alphabet is base 62: upper case too (tests use ymweWiRm86C7A).
      const unique = uniqueName(instance, 'ymweWiRm86C7A');
      expect(parseUnique(unique)).toMatchObject({ instance, proid, uniqueId: 'ymweWiRm86C7A', unique });
    }
    expect(parseUnique('proid.simplehttp-0001025686-ymweWiRm86C7A')?.instance).toBe('proid.simplehttp#0001025686');
  });

  it('refuses what is not a name', () => {
    // The schema's limits: a proid of 2-20 characters, at least one '.part', nothing but word characters and '-'.
    for (const name of ['p.app#1', 'a'.repeat(21) + '.app#1', 'proid#1', 'proid..app#1', 'proid.app#x', 'proid.a/b#1', `proid.${'a'.repeat(120)}#1`]) expect(parseInstance(name)).toBeNull();
    expect(parseUnique('proid.myapp-001-short')).toBeNull();
    expect(parseUnique('../etc-001-0000000ID1234')).toBeNull();
    expect(parseInstance('proid.app')).toBeNull();
    expect(() => uniqueName('nope', '0000000ID1234')).toThrow();
  });
});
