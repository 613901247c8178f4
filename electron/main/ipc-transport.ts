import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { ipcChannels } from '../../shared/bridge.js';
import { AckFrame } from '../../shared/contract/index.js';
import type { Backend } from '../host/backend.js';
import { dispatch } from '../transport/dispatcher.js';
import { createEventPump } from '../transport/event-pump.js';
import { isAppUrl } from './main-window.js';

/** Only our own window's top frame, loaded from the app origin, may talk to the backend. */
function fromOurWindow(window: BrowserWindow, event: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return event.sender === window.webContents && frame !== null && frame.parent === null && isAppUrl(frame.url);
}

export function attachIpcTransport(window: BrowserWindow, backend: Backend): () => void {
  let nextId = 0;
  const pump = createEventPump({
    bus: backend.bus,
    send: (frame) => {
      if (!window.isDestroyed()) window.webContents.send(ipcChannels.frame, frame);
    },
  });

  ipcMain.handle(ipcChannels.request, async (event, raw: unknown) => {
    if (!fromOurWindow(window, event)) throw new Error('refused: IPC from an unknown sender');
    const { command, payload } = (raw ?? {}) as { command?: unknown; payload?: unknown };
    return dispatch(backend.handlers, nextId++, typeof command === 'string' ? command : '', payload);
  });
  const onAck = (event: IpcMainEvent, raw: unknown) => {
    if (!fromOurWindow(window, event)) return;
    const ack = AckFrame.safeParse({ type: 'ack', batch: raw });
    if (ack.success) pump.ack(ack.data.batch);
  };
  ipcMain.on(ipcChannels.ack, onAck);
  window.webContents.on('did-finish-load', () => pump.reset());

  return () => {
    pump.close();
    ipcMain.removeHandler(ipcChannels.request);
    ipcMain.off(ipcChannels.ack, onAck);
  };
}
