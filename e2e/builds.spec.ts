import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ConsoleServer } from './support/console-server.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot, screenshotDir } from './support/screenshots.js';

// Scenarios are picked by the spec's name (see electron/mock/mock-builds.ts): fail-at-<step>, huge-log, slow.

const editor = (page: Page) => page.getByLabel('Image spec (YAML)');
const buildButton = (page: Page) => page.getByRole('button', { name: 'Build', exact: true });
const buildPanel = (page: Page) => page.locator('section.build');
const step = (page: Page, id: string) => buildPanel(page).locator(`[data-step="${id}"]`);
const logViewport = (page: Page) => page.getByRole('region', { name: 'Build log' });

async function openBuilds(page: Page, server: ConsoleServer): Promise<void> {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Builds' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Builds');
  await expect(editor(page)).toHaveValue(/name: bookworm-node/);
}

/** Builds the example spec under another name: the name picks the mock's scenario. */
async function buildNamed(page: Page, name: string): Promise<void> {
  const example = await editor(page).inputValue();
  await editor(page).fill(example.replace(/^name: .*$/m, `name: ${name}`));
  await expect(page.getByText('Valid spec.')).toBeVisible();
  await buildButton(page).click();
  await expect(buildPanel(page).getByRole('heading', { name, exact: true })).toBeVisible();
}

/** The whole view from its top: starting a build scrolls the page down to it. */
async function screenshotView(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await saveScreenshot(page, name);
}

async function logLineCount(page: Page): Promise<number> {
  const text = (await page.getByTestId('log-count').textContent()) ?? '';
  const match = /([\d,]+) lines/.exec(text);
  return match ? Number(match[1]!.replace(/,/g, '')) : 0;
}

test.describe('builds against the mocked backend', () => {
  let server: ConsoleServer;

  test.beforeEach(async ({ launch, page, consoleErrors: _watched }) => {
    server = await launch({ mock: true });
    await openBuilds(page, server);
  });

  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test('a build runs its steps live, streams its log, and publishes checksummed artifacts', async ({ page }) => {
    await buildNamed(page, 'e2e-node');
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'running');
    await expect(step(page, 'debootstrap')).toHaveAttribute('data-status', 'running');
    await expect(step(page, 'sparse-files')).toHaveAttribute('data-status', 'done');
    await expect(step(page, 'publish')).toHaveAttribute('data-status', 'pending');
    await expect.poll(() => logLineCount(page)).toBeGreaterThan(100);
    const early = await logLineCount(page);
    await screenshotView(page, 'builds-running');
    await expect(step(page, 'debootstrap')).toHaveAttribute('data-status', 'done');
    await expect.poll(() => logLineCount(page)).toBeGreaterThan(early);

    await expect(buildPanel(page)).toHaveAttribute('data-status', 'succeeded', { timeout: 40_000 });
    await expect(buildPanel(page).locator('[data-step][data-status="done"]')).toHaveCount(13);
    expect(await logLineCount(page)).toBeGreaterThan(2_000);
    // A line from the middle of the log, looked for once the log holds still: the viewer follows the
    // tail, so on a loaded machine a line can scroll past between two looks at the viewport.
    await page.getByLabel('Search the log').fill('Processing triggers');
    await expect(page.locator('.log__row--current')).toContainText('Processing triggers');
    await page.getByLabel('Search the log').fill('');
    const artifacts = page.getByRole('table', { name: 'Artifacts' });
    await expect(artifacts.locator('tbody tr[data-artifact]')).toHaveCount(2);
    const root = artifacts.locator('tr[data-artifact="root"]');
    await expect(root).toContainText('/var/lib/slipway/images/e2e-node/root.img.gz');
    await expect(root.locator('[data-checksum="sha256"] .hash')).toHaveText(/^[0-9a-f]{64}$/);
    await expect(root.locator('[data-checksum="md5"] .hash')).toHaveText(/^[0-9a-f]{32}$/);
    await expect(artifacts.locator('[data-artifact-raw="root"] [data-checksum="raw-sha256"] .hash')).toHaveText(/^[0-9a-f]{64}$/);
    await expect(root).toContainText('MiB');
    await expect(artifacts.locator('[data-metadata]')).toHaveText('/var/lib/slipway/images/e2e-node/e2e-node.yaml');
    await expect(page.getByRole('table', { name: 'Build history' }).locator('tbody tr').first()).toContainText('e2e-node');
    await screenshotView(page, 'builds-succeeded');
  });

  test('a spec edit outlives a reload as a draft; Reset to example forgets it', async ({ page }) => {
    const example = await editor(page).inputValue();
    await editor(page).fill(example.replace(/^name: .*$/m, 'name: my-draft'));
    await page.reload();
    await expect(editor(page)).toHaveValue(/^name: my-draft$/m);
    await page.getByRole('button', { name: 'Reset to example' }).click();
    await expect(editor(page)).toHaveValue(example);
    await page.reload();
    await expect(editor(page)).toHaveValue(/name: bookworm-node/);
  });

  test('an invalid spec names the field inline and keeps Build disabled', async ({ page }) => {
    const example = await editor(page).inputValue();
    await editor(page).fill(example.replace('size: 2G', 'size: lots').replace('mountPoint: /boot', 'mountPoint: boot'));
    const problems = page.getByRole('list', { name: 'Spec problems' });
    await expect(problems.locator('[data-field="images.0.size"]')).toContainText('"lots" is not a size');
    await expect(problems.locator('[data-field="images.1.mountPoint"]')).toContainText('must be an absolute path');
    await expect(buildButton(page)).toBeDisabled();
    await expect(editor(page)).toHaveAttribute('aria-invalid', 'true');

    // A well-formed spec whose output folder the helper would refuse is not "valid": the backend checks the roots.
    await editor(page).fill(example.replace('dir: /var/lib/slipway/images', 'dir: /etc/slipway-out'));
    await expect(problems.locator('[data-field="output.dir"]')).toContainText('not under an allowed output root');
    await expect(page.getByText('Valid spec.')).toBeHidden();
    await expect(buildButton(page)).toBeDisabled();

    await editor(page).fill(`${example}\n  bad: [`);
    await expect(problems.locator('[data-field="(yaml)"]')).toContainText('not valid YAML');
    await expect(buildButton(page)).toBeDisabled();

    await page.getByRole('button', { name: 'Reset to example' }).click();
    await expect(problems).toBeHidden();
    await expect(buildButton(page)).toBeEnabled();
  });

  test('a failed build shows the failing step and its last log lines first', async ({ page }) => {
    await buildNamed(page, 'fail-at-install-packages');
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'failed', { timeout: 15_000 });
    await expect(step(page, 'debootstrap')).toHaveAttribute('data-status', 'done');
    await expect(step(page, 'install-packages')).toHaveAttribute('data-status', 'failed');
    await expect(step(page, 'install-packages')).toContainText('unable to locate package nosuchpkg');
    await expect(step(page, 'post-install')).toHaveAttribute('data-status', 'skipped');
    await expect(step(page, 'publish')).toHaveAttribute('data-status', 'skipped');

    const failure = page.locator('.failure');
    await expect(failure.getByRole('heading')).toHaveText('Failed at Configure apt and install packages');
    const tail = failure.getByRole('list', { name: 'Last lines of the failed step' });
    await expect(tail.locator('li').last()).toHaveText(/E: Unable to locate package nosuchpkg/);
    expect(await tail.locator('li').count()).toBeLessThanOrEqual(20);
    await expect(tail).toContainText('Building dependency tree...');
    const [failureBox, logBox] = await Promise.all([failure.boundingBox(), logViewport(page).boundingBox()]);
    expect(failureBox!.y).toBeLessThan(logBox!.y);
    await expect(page.getByRole('table', { name: 'Artifacts' })).toHaveCount(0);
    await screenshotView(page, 'builds-failed');
  });

  test('cancel asks first, then stops the running step and skips the rest', async ({ page }) => {
    await buildNamed(page, 'slow');
    await expect(step(page, 'mkfs')).toHaveAttribute('data-status', 'running', { timeout: 10_000 });

    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText('Cancel build slow?');
    await expect(dialog).toContainText('The running step is stopped and everything it acquired is released.');
    await expect(dialog.getByRole('button', { name: 'Keep building' })).toBeFocused();
    // The viewport only: a modal's backdrop covers the viewport, not a full-page capture.
    await page.screenshot({ path: join(screenshotDir, 'builds-cancel-dialog.png') });
    await dialog.getByRole('button', { name: 'Keep building' }).click();
    await expect(dialog).toBeHidden();
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'running');

    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel build' }).click();
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'cancelled');
    // The step the cancel stopped is cancelled, not failed: no red cross.
    await expect(buildPanel(page).locator('[data-step][data-status="failed"]')).toHaveCount(0);
    const stopped = buildPanel(page).locator('[data-step][data-status="cancelled"]');
    await expect(stopped).toHaveCount(1);
    await expect(stopped).toContainText('cancelled by the operator');
    await expect(step(page, 'publish')).toContainText('not run: cancelled');
    await expect(step(page, 'publish')).toHaveAttribute('data-status', 'skipped');
    await expect(buildPanel(page).locator('[data-step][data-status="running"]')).toHaveCount(0);
    await expect(page.locator('.failure')).toContainText('Cancelled during');
    await expect(logViewport(page)).toContainText('losetup -d');
  });

  test('a 300,000-line log stays virtualized, scrolls to any line and is searchable', async ({ page }) => {
    test.setTimeout(90_000);
    await buildNamed(page, 'huge-log');
    await expect.poll(() => logLineCount(page), { timeout: 30_000 }).toBeGreaterThan(50_000);
    expect(await page.locator('.log__row').count()).toBeLessThan(200);
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'succeeded', { timeout: 45_000 });
    await expect.poll(() => logLineCount(page)).toBeGreaterThanOrEqual(300_000);
    await expect(page.getByTestId('log-count')).toHaveText(/^3\d\d,\d{3} lines$/);
    expect(await page.locator('.log__row').count()).toBeLessThan(200);

    await logViewport(page).evaluate((element) => {
      element.scrollTop = 150_000 * 18;
    });
    await expect(page.locator('.log__row[data-line="150001"]')).toBeVisible();
    const numbers = await page.locator('.log__row').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-line'))));
    expect(Math.min(...numbers)).toBeGreaterThan(149_900);
    expect(Math.max(...numbers)).toBeLessThan(150_100);
    expect(numbers.length).toBeLessThan(200);
    await expect(page.getByRole('button', { name: 'Follow', exact: true })).toHaveAttribute('aria-pressed', 'false');

    await page.getByLabel('Search the log').fill('file 123457 of 300000');
    await expect(page.locator('.log__matches')).toHaveText('1 of 1');
    const current = page.locator('.log__row--current');
    await expect(current).toBeVisible();
    await expect(current).toContainText('file 123457 of 300000');
    await expect(current.locator('mark')).toHaveText('file 123457 of 300000');
    await screenshotView(page, 'builds-huge-log');

    await page.getByRole('button', { name: 'Follow', exact: true }).click();
    await expect(page.locator(`.log__row[data-line="${await logLineCount(page)}"]`)).toBeVisible();
  });

  test('rebuilding the same spec is a cache hit that reuses the artifacts', async ({ page }) => {
    await buildNamed(page, 'cache-me');
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'succeeded', { timeout: 15_000 });
    const checksum = await page.getByRole('table', { name: 'Artifacts' }).locator('tr[data-artifact="root"] .hash').first().textContent();
    const firstId = await buildPanel(page).getAttribute('data-build');

    await buildButton(page).click();
    await expect(buildPanel(page)).not.toHaveAttribute('data-build', firstId!);
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'succeeded');
    await expect(buildPanel(page).locator('.build__heading')).toContainText('cache hit');
    await expect(buildPanel(page).locator('[data-step][data-status="skipped"]')).toHaveCount(13);
    await expect(step(page, 'debootstrap')).toContainText('cache hit');
    await expect(page.getByRole('table', { name: 'Artifacts' }).locator('tr[data-artifact="root"] .hash').first()).toHaveText(checksum!);
    const history = page.getByRole('table', { name: 'Build history' });
    await expect(history.locator('tbody tr', { hasText: 'cache-me' })).toHaveCount(2);
    await expect(history.locator('tbody tr').first()).toContainText('cache hit');
  });

  test('the history opens with earlier builds, and selecting one shows it', async ({ page }) => {
    const history = page.getByRole('table', { name: 'Build history' });
    await expect(history.locator('tbody tr')).toHaveCount(2);
    await history.getByRole('button', { name: 'bookworm-compute' }).click();
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'succeeded');
    await expect(page.getByRole('table', { name: 'Artifacts' }).locator('tbody tr[data-artifact]')).toHaveCount(2);
    await history.getByRole('button', { name: 'bookworm-gpu' }).click();
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'failed');
    await expect(page.locator('.failure')).toContainText('E: Unable to locate package nosuchpkg');
  });

  test('a build goes to a build host picked beside the Build button: named, or the first free one', async ({ page }) => {
    const picker = page.getByRole('combobox', { name: 'Build on', exact: true });
    // The mock inventory's build hosts (labelled build-host), after this machine and `any`.
    await expect(picker.locator('option')).toHaveText(['this machine', 'any build host', 'rack1-n03', 'rack2-n02', 'rack3-n07']);
    await expect(page.locator('#spec-host-note')).toHaveText('output.dir is a folder here');
    await picker.selectOption('rack3-n07');
    await expect(page.locator('#spec-host-note')).toHaveText('output.dir is a folder on the build host');
    await buildNamed(page, 'on-a-host');
    await expect(buildPanel(page).getByTestId('build-host')).toHaveText('rack3-n07');
    await expect(page.locator('section.history tr', { hasText: 'on-a-host' })).toContainText('rack3-n07');
    await picker.selectOption('any');
    await buildNamed(page, 'on-any-host');
    await expect(buildPanel(page).getByTestId('build-host')).toHaveText('rack1-n03');
    await picker.selectOption('');
    await buildNamed(page, 'here');
    await expect(buildPanel(page).getByTestId('build-host')).toHaveText('this machine');
  });

  test('Fetch artifacts of a build host\'s build: a folder outside the output roots is refused, then the files come with their sums checked', async ({ page }) => {
    await page.getByRole('combobox', { name: 'Build on', exact: true }).selectOption('rack2-n02');
    await buildNamed(page, 'fetch-me');
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    const fetch = buildPanel(page).getByRole('region', { name: 'Artifacts on rack2-n02' });
    const into = fetch.getByLabel(/^Fetch into/);
    // The host's folder, as a folder here: the first suggestion.
    await expect(into).toHaveValue(/^\/.+/);
    const suggested = await into.inputValue();
    await into.fill('/etc');
    await fetch.getByRole('button', { name: 'Fetch artifacts' }).click();
    await expect(fetch.getByRole('alert')).toContainText('/etc is not under an allowed output root');
    await into.fill(suggested);
    await fetch.getByRole('button', { name: 'Fetch artifacts' }).click();
    const files = fetch.getByRole('list', { name: 'Fetched files' });
    // Each artifact of the table above, then the metadata.
    await expect(files.getByRole('listitem')).toHaveCount((await buildPanel(page).locator('tr[data-artifact]').count()) + 1);
    await expect(files.getByRole('listitem').first()).toContainText(`${suggested}/root.img.gz`);
    await expect(files.getByRole('listitem').first()).toContainText(/copied, sha256 [0-9a-f]{16} checked$/);
    // The metadata comes too; it records the artifacts' sums, none of its own.
    await expect(files.getByRole('listitem').last()).toContainText(/\.yaml .*copied, no sum recorded for it$/);
    await expect(fetch).toHaveAttribute('data-state', 'done');
  });
});
