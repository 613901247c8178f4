import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import type { ConsoleServer } from './support/console-server.js';
import { expect, test } from './support/fixtures.js';
import { recordRequests } from './support/sent-requests.js';

// Jobs across the shell, against the mocked backend: one build per press, the tray, badges and title, progress.

const editor = (page: Page) => page.getByLabel('Image spec (YAML)');
const buildButton = (page: Page) => page.getByRole('button', { name: /^(Build|Building…)$/ });
const buildPanel = (page: Page) => page.locator('section.build');
const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const history = (page: Page) => page.getByRole('table', { name: 'Build history' });
const trayToggle = (page: Page) => nav(page).getByRole('button', { name: /^Jobs/ });

async function openBuilds(page: Page, server: ConsoleServer): Promise<void> {
  await page.goto(server.url);
  await nav(page).getByRole('link', { name: 'Builds' }).click();
  await expect(editor(page)).toHaveValue(/name: bookworm-node/);
}

/** The example spec under another name (the name picks the mock's scenario: slow, fail-at-<step>). */
async function specNamed(page: Page, name: string): Promise<void> {
  const example = await editor(page).inputValue();
  await editor(page).fill(example.replace(/^name: .*$/m, `name: ${name}`));
  await expect(page.getByText('Valid spec.')).toBeVisible();
}

test.describe('jobs in the shell, against the mocked backend', () => {
  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test('a double click on Build starts one build', async ({ launch, page, consoleErrors: _watched }) => {
    const sent = recordRequests(page);
    const server = await launch({ mock: true });
    await openBuilds(page, server);
    await specNamed(page, 'slow');
    await buildButton(page).dblclick();
    await expect(buildPanel(page).getByRole('heading', { name: 'slow', exact: true })).toBeVisible();
    await expect(history(page).locator('tbody tr', { hasText: 'slow' })).toHaveCount(1);
    // The history's own reload after the start went out after any second start would have: one start was sent.
    expect(sent.filter((r) => r.command === 'builds.start')).toHaveLength(1);
    await expect(page.getByRole('alert')).toHaveCount(0);
    await buildPanel(page).getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel build' }).click();
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'cancelled');
  });

  test('a build that ends while the operator is on another view raises the badge, the title and the tray entry', async ({ launch, page, consoleErrors: _watched }) => {
    test.setTimeout(120_000);
    const server = await launch({ mock: true });
    await openBuilds(page, server);
    await specNamed(page, 'slow');
    await buildButton(page).click();
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'running');
    await nav(page).getByRole('link', { name: 'Nodes' }).click();
    await expect(trayToggle(page)).toContainText('1 running');

    // The tray shows it running, with its progress.
    await trayToggle(page).click();
    const entry = page.getByRole('region', { name: 'Jobs' }).locator('[data-key^="build:"]');
    await expect(entry).toHaveAttribute('data-status', 'running');
    await expect(entry.getByRole('progressbar')).toBeVisible();
    await trayToggle(page).click();

    await expect(nav(page).getByTestId('nav-jobs-builds')).toHaveText(/^1/, { timeout: 90_000 });
    await expect(page).toHaveTitle('(1) Slipway');
    await expect(trayToggle(page)).toContainText('1 new');
    await trayToggle(page).click();
    await expect(entry).toHaveAttribute('data-status', 'succeeded');
    await expect(entry).toContainText('new');

    // Opening it goes to the build: seen, so the badge and the title clear.
    await entry.getByRole('button', { name: /Build slow/ }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Builds');
    await expect(buildPanel(page).getByRole('heading', { name: 'slow', exact: true })).toBeVisible();
    await expect(nav(page).getByTestId('nav-jobs-builds')).toHaveCount(0);
    await expect(page).toHaveTitle('Slipway');
  });

  test('a second build of a spec shows a progress bar with the time left, from the first build’s steps', async ({ launch, page, consoleErrors: _watched }) => {
    test.setTimeout(90_000);
    const server = await launch({ mock: true });
    await openBuilds(page, server);
    // Fails at its last step: every earlier step is timed, and the same spec is no cache hit the second time.
    await specNamed(page, 'fail-at-publish');
    await buildButton(page).click();
    await expect(buildPanel(page).getByRole('heading', { name: 'fail-at-publish', exact: true })).toBeVisible();
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
    await buildButton(page).click();
    await expect(history(page).locator('tbody tr', { hasText: 'fail-at-publish' })).toHaveCount(2);
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'running');
    const progress = buildPanel(page).getByTestId('job-progress');
    await expect(progress.getByRole('progressbar')).toBeVisible();
    await expect(progress.getByTestId('time-left')).toHaveText(/^(about \d.* left|finishing)$/);
    await expect(progress).toContainText('elapsed');
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
    await expect(progress).toHaveCount(0);
  });
});

test.describe('history actions, against the mocked backend', () => {
  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test('a build’s log downloads as raw text; Build again rebuilds its spec; Compare lists what changed in its packages', async ({ launch, page, consoleErrors: _watched }) => {
    test.setTimeout(90_000);
    const server = await launch({ mock: true });
    await openBuilds(page, server);
    const example = await editor(page).inputValue();
    await editor(page).fill(example.replace(/^name: .*$/m, 'name: compared').replace('  - chrony\n', '  - chrony\n  - hello\n'));
    await expect(page.getByText('Valid spec.')).toBeVisible();
    await buildButton(page).click();
    await expect(buildPanel(page).getByRole('heading', { name: 'compared', exact: true })).toBeVisible();
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });

    // The whole log, as the backend holds it, one line per line.
    const lines = Number(((await page.getByTestId('log-count').textContent()) ?? '').replace(/[^\d]/g, ''));
    const [download] = await Promise.all([page.waitForEvent('download'), buildPanel(page).getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^build-compared-.+\.log$/);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text.split('\n').length - 1).toBe(lines);
    expect(text).toContain('I: Base system installed successfully.');

    // Compared with yesterday's compute image: hello is what the spec added.
    const compare = buildPanel(page).getByRole('region', { name: 'Packages' });
    const computeOption = compare.getByLabel('Compare with').locator('option', { hasText: 'bookworm-compute' });
    await compare.getByLabel('Compare with').selectOption((await computeOption.getAttribute('value'))!);
    await expect(compare.getByTestId('compare-summary')).toContainText('added');
    await expect(compare.getByRole('table', { name: 'Added' }).locator('[data-package="hello"]')).toBeVisible();

    // Build again: the same spec, now a cache hit of the first.
    const first = await buildPanel(page).getAttribute('data-build');
    await buildPanel(page).getByRole('button', { name: 'Build again' }).click();
    await expect(buildPanel(page)).not.toHaveAttribute('data-build', first!);
    await expect(buildPanel(page).getByRole('heading', { name: 'compared', exact: true })).toBeVisible();
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'succeeded');
    await expect(history(page).locator('tbody tr', { hasText: 'compared' })).toHaveCount(2);
  });
});
