import type { CommandName, RequestOf } from '../../../shared/contract/index.js';
import type { BackendConnection } from '../connection/frame-client.js';
import { setBackend } from '../connection/backend.js';

/** For store tests: a backend that answers every request from a function and records them. */
export function fakeBackend(answer: (command: CommandName, payload: unknown) => unknown): { command: CommandName; payload: unknown }[] {
  const requests: { command: CommandName; payload: unknown }[] = [];
  const connection: BackendConnection = {
    kind: 'web',
    request: (async <C extends CommandName>(command: C, payload: RequestOf<C>) => {
      requests.push({ command, payload });
      return answer(command, payload);
    }) as BackendConnection['request'],
    onEvent: () => () => undefined,
    onClientEvent: () => () => undefined,
    onResync: () => () => undefined,
    onState: () => () => undefined,
    reconnect: () => undefined,
  };
  setBackend(connection);
  return requests;
}
