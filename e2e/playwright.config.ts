import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a browser Playwright downloads; flags keep it off the network.
const chromium = process.env.SLIPWAY_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: '.',
  outputDir: '../test-results/playwright-artifacts',
  // Limits, not waits: every expectation ends as soon as its state shows. They leave room for a shared
  // 2-core machine under load (a load of 13 has been seen), where a render or a request takes seconds.
  timeout: 60_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 2,
  reporter: [['list'], ['json', { outputFile: '../test-results/playwright.json' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: chromium,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
