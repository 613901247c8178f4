import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels, type SlipwayBridge } from '../../shared/bridge.js';

// Sandboxed preload: no Node; only frames, one channel each way, reach the main process.
const bridge: SlipwayBridge = {
  send: (frame) => ipcRenderer.send(ipcChannels.toMain, frame),
  onFrame(listener) {
    const handler = (_event: IpcRendererEvent, frame: unknown) => listener(frame);
    ipcRenderer.on(ipcChannels.toRenderer, handler);
    return () => ipcRenderer.off(ipcChannels.toRenderer, handler);
  },
};

contextBridge.exposeInMainWorld('slipway', bridge);
