import { app, BrowserWindow, session, shell } from 'electron';
import { isAppBlobUrl, isAppUrl, permissionAllowed } from './app-url.js';

/** The only places a link from the console may open, in the operator's browser: the Debian and project documentation. */
const externalHosts = new Set(['www.debian.org', 'manpages.debian.org', 'wiki.debian.org', 'github.com']);

export function externalAllowed(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && externalHosts.has(parsed.hostname) && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** Deny what a console never needs: permissions but notifications, webviews, navigation and redirects away, new windows. */
export function lockDownContents(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => callback(permissionAllowed(permission, details.requestingUrl)));
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      // A raw log the page opened: its own window, sandboxed, without scripts (it is text).
      if (isAppBlobUrl(url)) {
        return { action: 'allow', overrideBrowserWindowOptions: { autoHideMenuBar: true, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false } } };
      }
      // Documentation links open in the operator's browser, never inside the console.
      if (externalAllowed(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Slipway',
    backgroundColor: '#10151c',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  return window;
}
