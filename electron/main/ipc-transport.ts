import { ipcMain, type BrowserWindow, type IpcMainEvent } from 'electron';
import { ipcChannels } from '../../shared/bridge.js';
import type { Backend } from '../backend/backend.js';
import { openClientSession } from '../transport/client-session.js';
import { isAppUrl } from './app-url.js';

/** Only our own window's top frame, loaded from the app origin, may talk to the backend. */
function fromOurWindow(window: BrowserWindow, event: IpcMainEvent): boolean {
  const frame = event.senderFrame;
  return event.sender === window.webContents && frame !== null && frame.parent === null && isAppUrl(frame.url);
}

/** The desktop window as one connected renderer: the same client session as a WebSocket, frames over IPC. */
export function attachIpcTransport(window: BrowserWindow, backend: Backend): () => void {
  const session = openClientSession(backend, (frame) => {
    if (!window.isDestroyed()) window.webContents.send(ipcChannels.toRenderer, frame);
  });
  const onFrame = (event: IpcMainEvent, raw: unknown) => {
    if (fromOurWindow(window, event)) session.receive(raw);
  };
  ipcMain.on(ipcChannels.toMain, onFrame);
  // A reloaded page is a new renderer: its event sequence starts again.
  window.webContents.on('did-finish-load', () => session.reset());

  return () => {
    session.close();
    ipcMain.off(ipcChannels.toMain, onFrame);
  };
}
