import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow } from 'electron';
import { packageRoot } from '../backend/app-paths.js';
import type { Backend } from '../backend/backend.js';
import { createRealBackend } from '../app/real-backend.js';
import { createMockBackend, mockScenarios, type MockScenario } from '../mock/mock-backend.js';
import { appOrigin, registerAppScheme, serveRenderer } from './app-protocol.js';
import { attachIpcTransport } from './ipc-transport.js';
import { desktopSecretStore } from './keyring-secret-store.js';
import { createMainWindow, lockDownContents } from './main-window.js';

const outDir = join(packageRoot(), 'out');

function backendFromArgv(argv: readonly string[]): Backend {
  if (!argv.includes('--mock')) {
    const configDir = join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'slipway');
    return createRealBackend({ secrets: desktopSecretStore(join(configDir, 'secrets.json')) });
  }
  const named = argv.find((arg) => arg.startsWith('--mock-scenario='))?.split('=')[1];
  const scenario = (mockScenarios as readonly string[]).includes(named ?? '') ? (named as MockScenario) : 'default';
  return createMockBackend({ scenario });
}

registerAppScheme();
app.enableSandbox();

void app.whenReady().then(() => {
  const backend = backendFromArgv(process.argv);
  backend.start();
  lockDownContents();
  serveRenderer(join(outDir, 'renderer'));
  const window = createMainWindow(join(outDir, 'preload', 'index.cjs'));
  const detach = attachIpcTransport(window, backend);
  void window.loadURL(`${appOrigin}/index.html`);
  window.on('closed', () => {
    detach();
    void backend.close();
  });
});

app.on('window-all-closed', () => app.quit());
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0) app.relaunch();
});
