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

  it('refuses what is not a name', () => {
    expect(parseUnique('proid.myapp-001-short')).toBeNull();
    expect(parseUnique('../etc-001-0000000ID1234')).toBeNull();
    expect(parseInstance('proid.app')).toBeNull();
    expect(() => uniqueName('nope', '0000000ID1234')).toThrow();
  });
});
