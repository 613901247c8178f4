import { describe, expect, it } from 'vitest';
import { isAppBlobUrl, isAppUrl, permissionAllowed } from './app-url.js';

describe('the console’s own URLs', () => {
  it('are slipway://app pages and origins, nothing else', () => {
    expect(isAppUrl('slipway://app/index.html#/builds')).toBe(true);
    expect(isAppUrl('slipway://app')).toBe(true);
    for (const url of ['slipway://evil/index.html', 'https://app/', 'slipway://user@app/', 'file:///etc/passwd', 'not a url', '']) expect(isAppUrl(url)).toBe(false);
  });

  it('include the blobs the page made (a raw log in a window), not others', () => {
    expect(isAppBlobUrl('blob:slipway://app/0b7e5a52-5d1a-4c0e-9a1f-0e8c1c0f2d11')).toBe(true);
    expect(isAppBlobUrl('blob:https://example.org/0b7e')).toBe(false);
    expect(isAppBlobUrl('slipway://app/index.html')).toBe(false);
  });

  it('get the notifications permission only', () => {
    expect(permissionAllowed('notifications', 'slipway://app/index.html')).toBe(true);
    expect(permissionAllowed('media', 'slipway://app/index.html')).toBe(false);
    expect(permissionAllowed('notifications', 'https://example.org/')).toBe(false);
  });
});
