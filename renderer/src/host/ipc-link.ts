import type { SlipwayBridge } from '../../../shared/bridge.js';
import type { CommandName, RequestOf } from '../../../shared/contract/index.js';
import type { Link, LinkState } from './link.js';

/** The desktop window: frames go through the preload's bridge to the main process. */
export function createIpcLink(bridge: SlipwayBridge): Link {
  const frameListeners: ((raw: unknown) => void)[] = [];
  const emit = (raw: unknown) => frameListeners.forEach((listener) => listener(raw));
  bridge.onFrame(emit);
  return {
    kind: 'desktop',
    send(frame) {
      bridge
        .request(frame.command as CommandName, frame.payload as RequestOf<CommandName>)
        .then((response) => emit({ ...response, id: frame.id }))
        .catch((error: unknown) =>
          emit({ type: 'response', id: frame.id, ok: false, error: { code: 'internal', message: String(error) } }),
        );
    },
    ack: (batch) => bridge.ack(batch),
    onFrame: (listener) => frameListeners.push(listener),
    onState(listener: (state: LinkState) => void) {
      // IPC to our own main process is up as long as the window is.
      queueMicrotask(() => listener('connected'));
    },
    reconnect() {},
  };
}
