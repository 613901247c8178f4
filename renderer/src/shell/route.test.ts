import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from './route.js';

describe('routes in the URL', () => {
  it('name a view and its selection, and read back what they wrote', () => {
    for (const route of [
      { view: 'builds', item: '20261202-ab12cd34' },
      { view: 'containers', item: 'rack1-n01/proid.web#0000000001' },
      { view: 'nodes', item: 'odd name/with % and ?' },
      { view: 'publish', item: null },
    ]) expect(parseRoute(routeHash(route))).toEqual(route);
    expect(routeHash({ view: 'containers', item: 'rack1-n01/proid.web#0000000001' })).toBe('#/containers/rack1-n01/proid.web%230000000001');
  });

  it('fall back to the landing view for what they do not know', () => {
    expect(parseRoute('#/nowhere/x')).toEqual({ view: 'readiness', item: null });
    expect(parseRoute('')).toEqual({ view: 'readiness', item: null });
    expect(parseRoute('#/builds/%E0%A4%A')).toEqual({ view: 'builds', item: null });
  });
});
