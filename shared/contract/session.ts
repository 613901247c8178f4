import { z } from 'zod';
import { command } from './define.js';

export const BackendKind = z.enum(['real', 'mock']);
export type BackendKind = z.infer<typeof BackendKind>;

export const HelloResponse = z.object({
  backend: BackendKind,
  version: z.string(),
  hostname: z.string(),
  /** Last event sequence number sent; a client tracks gaps from here. */
  seq: z.number().int().nonnegative(),
});
export type HelloResponse = z.infer<typeof HelloResponse>;

export const sessionCommands = {
  'session.hello': command(z.object({}).strict(), HelloResponse),
};

export const sessionEvents = {};
