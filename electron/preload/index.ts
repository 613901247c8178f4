import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels, type SlipwayBridge } from '../../shared/bridge.js';
import type { EventBatchFrame, ResponseFrame, ResyncFrame } from '../../shared/contract/index.js';

// Sandboxed preload: no Node, only these three calls reach the main process.
const bridge: SlipwayBridge = {
  request: (command, payload) => ipcRenderer.invoke(ipcChannels.request, { command, payload }) as Promise<ResponseFrame>,
  onFrame(listener) {
    const handler = (_event: IpcRendererEvent, frame: EventBatchFrame | ResyncFrame) => listener(frame);
    ipcRenderer.on(ipcChannels.frame, handler);
    return () => ipcRenderer.off(ipcChannels.frame, handler);
  },
  ack: (batch) => ipcRenderer.send(ipcChannels.ack, batch),
};

contextBridge.exposeInMainWorld('slipway', bridge);
