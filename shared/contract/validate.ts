import type { z } from 'zod';
import {
  commands,
  events,
  clientEvents,
  isClientTopic,
  isCommandName,
  isTopic,
  SlipwayError,
  type ClientEvent,
  type CommandName,
  type EventEnvelope,
  type RequestOf,
  type ResponseOf,
  type SlipwayEvent,
} from './index.js';

function fieldOf(issue: z.core.$ZodIssue): string | undefined {
  return issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? fieldOf(issue) : undefined;
  const message = `${what}: ${issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid'}`;
  throw new SlipwayError('bad_request', message, field);
}

/** Backend side: a request is checked before any service sees it. */
export function parseRequest(command: string, payload: unknown): { command: CommandName; payload: RequestOf<CommandName> } {
  if (!isCommandName(command)) throw new SlipwayError('unknown_command', `unknown command "${command}"`);
  return { command, payload: parseOrThrow(commands[command].request, payload, command) };
}

/** Renderer side: a response is checked before any store sees it. */
export function parseResponse<C extends CommandName>(command: C, result: unknown): ResponseOf<C> {
  return parseOrThrow(commands[command].response, result, `response to ${command}`) as ResponseOf<C>;
}

/** Renderer side: an event with an unknown topic or a bad payload is rejected, never applied. */
export function parseEvent(envelope: EventEnvelope): SlipwayEvent {
  if (!isTopic(envelope.topic)) throw new SlipwayError('bad_request', `unknown event topic "${envelope.topic}"`);
  const payload = parseOrThrow(events[envelope.topic], envelope.payload, `event ${envelope.topic}`);
  return { topic: envelope.topic, seq: envelope.seq, payload } as SlipwayEvent;
}

/** Renderer side: a client event (sent to this client alone) is checked like any other. */
export function parseClientEvent(envelope: { topic: string; payload: unknown }): ClientEvent {
  if (!isClientTopic(envelope.topic)) throw new SlipwayError('bad_request', `unknown client event topic "${envelope.topic}"`);
  const payload = parseOrThrow(clientEvents[envelope.topic], envelope.payload, `event ${envelope.topic}`);
  return { topic: envelope.topic, payload } as ClientEvent;
}
