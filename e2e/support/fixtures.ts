import { test as base } from '@playwright/test';
import { ConsoleServer, type ConsoleServerOptions } from './console-server.js';

/** `launch(options)` starts a console; every console a test started is stopped after it, even on timeout. */
export const test = base.extend<{ launch: (options?: ConsoleServerOptions) => Promise<ConsoleServer>; consoleErrors: string[] }>({
  /** Errors the page logged (CSP violations and render errors surface only there); specs assert it stays empty. */
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    // A CSP violation caught by the page's own code (zod's `new Function` probe) logs nothing a console
    // listener sees: its event is turned into a console error here, from the page's first script on.
    await page.addInitScript({
      content: "document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} (${e.sourceFile}:${e.lineNumber})`));",
    });
    await use(errors);
  },
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
