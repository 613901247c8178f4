import { z } from 'zod';
import { CommandError } from './errors.js';

/** Wire frames shared by both transports (Electron IPC and the web console's WebSocket). */

export const RequestFrame = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  command: z.string().min(1),
  payload: z.unknown(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

export const ResponseFrame = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('response'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.number().int(), ok: z.literal(false), error: CommandError }),
]);
export type ResponseFrame = z.infer<typeof ResponseFrame>;

export const EventEnvelope = z.object({
  topic: z.string(),
  seq: z.number().int().positive(),
  payload: z.unknown(),
});
export type EventEnvelope = z.infer<typeof EventEnvelope>;

/** Events travel in batches sized for a UI frame; the client acks each batch (backpressure). */
export const EventBatchFrame = z.object({
  type: z.literal('events'),
  batch: z.number().int().nonnegative(),
  events: z.array(EventEnvelope),
});
export type EventBatchFrame = z.infer<typeof EventBatchFrame>;

/** Sent when the backend dropped events for a slow client: refetch snapshots. */
export const ResyncFrame = z.object({ type: z.literal('resync'), seq: z.number().int().nonnegative() });
export type ResyncFrame = z.infer<typeof ResyncFrame>;

export const AckFrame = z.object({ type: z.literal('ack'), batch: z.number().int().nonnegative() });
export type AckFrame = z.infer<typeof AckFrame>;

/**
 * Events for this client alone (its terminals' output and ends): never on the bus, so
 * outside the global sequence and its acks; the capability's own flow control bounds them.
 */
export const ClientEventsFrame = z.object({
  type: z.literal('client-events'),
  events: z.array(z.object({ topic: z.string(), payload: z.unknown() })),
});
export type ClientEventsFrame = z.infer<typeof ClientEventsFrame>;

export const ServerFrame = z.union([ResponseFrame, EventBatchFrame, ResyncFrame, ClientEventsFrame]);
export type ServerFrame = z.infer<typeof ServerFrame>;

export const ClientFrame = z.discriminatedUnion('type', [RequestFrame, AckFrame]);
export type ClientFrame = z.infer<typeof ClientFrame>;
