import type { CommandName, RequestOf } from '../../../shared/contract/index.js';
import type { HostConnection } from '../host/frame-client.js';
import { setHost } from '../host/host.js';

/** For store tests: a host that answers every request from a function and records them. */
export function fakeHost(answer: (command: CommandName, payload: unknown) => unknown): { command: CommandName; payload: unknown }[] {
  const requests: { command: CommandName; payload: unknown }[] = [];
  const connection: HostConnection = {
    kind: 'web',
    request: (async <C extends CommandName>(command: C, payload: RequestOf<C>) => {
      requests.push({ command, payload });
      return answer(command, payload);
    }) as HostConnection['request'],
    onEvent: () => () => undefined,
    onResync: () => () => undefined,
    onState: () => () => undefined,
    reconnect: () => undefined,
  };
  setHost(connection);
  return requests;
}
