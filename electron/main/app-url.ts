/** The console's own scheme and host: `slipway://app/…`. */
export const appScheme = 'slipway';
export const appHost = 'app';
export const appOrigin = `${appScheme}://${appHost}`;

/**
 * A URL (or an origin) of the console's own pages. Compared by scheme and
 * host, not by `URL.origin`: Node's URL gives every non-special scheme the
 * origin "null", so an origin comparison would match nothing.
 */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${appScheme}:` && parsed.host === appHost && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** A blob the console's page made (a raw log it opens in a window of its own): `blob:slipway://app/<uuid>`. */
export function isAppBlobUrl(url: string): boolean {
  return url.startsWith('blob:') && isAppUrl(url.slice('blob:'.length));
}

/** The one permission the console's own page gets: notifications (a job that ended while the operator was elsewhere). */
export function permissionAllowed(permission: string, requestingUrl: string): boolean {
  return permission === 'notifications' && isAppUrl(requestingUrl);
}
