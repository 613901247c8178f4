import { test as base } from '@playwright/test';
import { ConsoleServer, type ConsoleServerOptions } from './console-server.js';

/** `launch(options)` starts a console; every console a test started is stopped after it, even on timeout. */
export const test = base.extend<{ launch: (options?: ConsoleServerOptions) => Promise<ConsoleServer> }>({
  launch: async ({}, use) => {
    const started: ConsoleServer[] = [];
    await use(async (options) => {
      const server = new ConsoleServer(options);
      started.push(server);
      await server.start();
      return server;
    });
    await Promise.all(started.map((server) => server.stop()));
  },
});

export { expect } from '@playwright/test';
