import { protocol } from 'electron';
import { securityHeaders } from '../security/csp.js';
import { readStaticFile } from '../web/static-files.js';

import { appScheme } from './app-url.js';

export { appOrigin, appScheme } from './app-url.js';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/**
 * The renderer is served from its own origin rather than file://, so the same
 * CSP header as the web console applies and no other local file is reachable.
 */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'app' ? await readStaticFile(rendererDir, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404, headers: securityHeaders });
    return new Response(new Uint8Array(file.body), { status: 200, headers: { ...securityHeaders, 'Content-Type': file.contentType } });
  });
}
