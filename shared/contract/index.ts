import type { z } from 'zod';
import { appCommands, appEvents } from './apps.js';
import { bootCommands, bootEvents } from './boot.js';
import { cellClientEvents, cellCommands } from './cells.js';
import { netbootCommands, netbootEvents } from './netboot.js';
import { buildCommands, buildEvents } from './builds.js';
import { containerActionCommands, containerClientEvents, containerCommands, containerEvents, containerLogCommands } from './containers.js';
import { deployCommands, deployEvents } from './deploy.js';
import { nodeCommands, nodeEvents } from './nodes.js';
import { publishCommands, publishEvents } from './publish.js';
import { readinessCommands, readinessEvents } from './readiness.js';
import { sessionCommands, sessionEvents } from './session.js';
import { terminalClientEvents, terminalCommands } from './terminal.js';

/**
 * The whole contract between backend and renderer. Each capability declares its
 * commands and events in its own file; they meet here so that a rename breaks
 * the build of both sides.
 */
export const commands = {
  ...sessionCommands,
  ...readinessCommands,
  ...buildCommands,
  ...nodeCommands,
  ...publishCommands,
  ...netbootCommands,
  ...bootCommands,
  ...deployCommands,
  ...appCommands,
  ...containerCommands,
  ...containerActionCommands,
  ...containerLogCommands,
  ...terminalCommands,
  ...cellCommands,
};

export const events = {
  ...sessionEvents,
  ...readinessEvents,
  ...buildEvents,
  ...nodeEvents,
  ...publishEvents,
  ...netbootEvents,
  ...bootEvents,
  ...deployEvents,
  ...appEvents,
  ...containerEvents,
};

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type RequestOf<C extends CommandName> = z.input<Commands[C]['request']>;
export type ResponseOf<C extends CommandName> = z.output<Commands[C]['response']>;

/**
 * Events sent to one client only (the one that owns what they are about), never
 * published on the bus: a terminal's output reaches no other client.
 */
export const clientEvents = {
  ...terminalClientEvents,
  ...containerClientEvents,
  ...cellClientEvents,
};

export type Events = typeof events;
export type Topic = keyof Events;
export type PayloadOf<T extends Topic> = z.output<Events[T]>;

/** A validated event as the receiving side sees it: topic and payload stay paired. */
export type SlipwayEvent = { [T in Topic]: { topic: T; seq: number; payload: PayloadOf<T> } }[Topic];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

export function isTopic(name: string): name is Topic {
  return Object.hasOwn(events, name);
}

export type ClientEvents = typeof clientEvents;
export type ClientTopic = keyof ClientEvents;
export type ClientPayloadOf<T extends ClientTopic> = z.output<ClientEvents[T]>;
/** A validated client event: topic and payload stay paired. */
export type ClientEvent = { [T in ClientTopic]: { topic: T; payload: ClientPayloadOf<T> } }[ClientTopic];

export function isClientTopic(name: string): name is ClientTopic {
  return Object.hasOwn(clientEvents, name);
}

export * from './apps.js';
export * from './boot.js';
export * from './cells.js';
export * from './netboot.js';
export * from './node-name.js';
export * from './builds.js';
export * from './containers.js';
export * from './deploy.js';
export * from './errors.js';
export * from './frames.js';
export * from './image-spec.js';
export * from './instance-name.js';
export * from './log-batch.js';
export * from './nodes.js';
export * from './publish.js';
export * from './readiness.js';
export * from './session.js';
export * from './terminal.js';
export { documentText, maxDocumentBytes, maxRequestFrameBytes } from './limits.js';
