import { SlipwayError, type CommandName, type ResponseFrame } from '../../shared/contract/index.js';
import { parseRequest } from '../../shared/contract/validate.js';
import type { Handlers } from '../backend/backend.js';
import type { ClientContext } from '../backend/client-context.js';

type AnyHandler = (payload: unknown, client?: ClientContext) => Promise<unknown>;

/** Validates a request at the boundary, runs its handler, and shapes the answer as a frame. */
export async function dispatch(handlers: Handlers, id: number, command: string, payload: unknown, client?: ClientContext): Promise<ResponseFrame> {
  try {
    const request = parseRequest(command, payload);
    const handler = handlers[request.command as CommandName] as AnyHandler;
    const result = await handler(request.payload, client);
    return { type: 'response', id, ok: true, result };
  } catch (error) {
    const wire =
      error instanceof SlipwayError
        ? error.toWire()
        : { code: 'internal' as const, message: error instanceof Error ? error.message : String(error) };
    return { type: 'response', id, ok: false, error: wire };
  }
}
