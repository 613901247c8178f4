import type { CallHandle, HelperClient } from '../helper-client.js';
import { helperOps, type HelperOp, type HelperResult } from '../helper-protocol.js';

/**
 * A helper client for unit tests: `answer` says what each call gets (a value,
 * or a rejection); values are checked against the protocol as the real client
 * checks them, so a test cannot answer what the helper never would.
 */
export function answeringHelper(answer: (op: HelperOp, args: Record<string, unknown>) => Promise<unknown>): HelperClient {
  return {
    namespaced: true,
    pid: 1,
    exited: new Promise(() => undefined),
    close: async () => undefined,
    reserveId: () => 0,
    lastSeq: () => 0,
    call<O extends HelperOp>(op: O, args: unknown): CallHandle<HelperResult<O>> {
      const result = answer(op, args as Record<string, unknown>).then((value) => helperOps[op].result.parse(value) as HelperResult<O>);
      return { result, cancel: () => undefined };
    },
  };
}
