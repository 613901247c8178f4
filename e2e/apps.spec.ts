import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ConsoleServer } from './support/console-server.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot, screenshotDir } from './support/screenshots.js';

// The mock (electron/mock/mock-apps.ts and mock-app-*.ts): the saved `hello` selects rack1-n01..03, rack2-n01..02 (nodes)
// and rack3-g01..02 (label gpu): two platforms, Debian 12 and Ubuntu 22.04, so two builders. rack2-n01 fails at depends
// with a GPG NO_PUBKEY line and goes on the blacklist; rack3-g02 is lost part way through its first run in each
// deployment. `sleep N` in the run command makes the application run N seconds; env LINES makes it print that many lines.

const editor = (page: Page) => page.getByLabel('Application definition (YAML)');
const deployButton = (page: Page) => page.getByRole('button', { name: /^Deploy to \d+ nodes?$/ });
const runs = (page: Page) => page.getByRole('table', { name: 'Application runs' });
const runPanel = (page: Page) => page.locator('section.app-run');
const matrix = (page: Page) => page.getByRole('table', { name: 'Node phases' });
const row = (page: Page, node: string) => matrix(page).locator(`tr[data-node="${node}"]`);
const cell = (page: Page, node: string, phase: string) => row(page, node).locator(`td[data-phase="${phase}"]`);
const traces = (page: Page) => page.getByRole('region', { name: 'Application traces' });
const traceCount = (page: Page) => page.getByTestId('trace-count');
const nodeChip = (page: Page, name: string) => page.getByRole('group', { name: 'Show the traces of' }).getByRole('button', { name, exact: true });
const runOutcome = (page: Page, index: number) => runs(page).locator('tbody tr').nth(index).locator('[data-outcome]');
const runCounts = (page: Page, index: number) => runs(page).locator('tbody tr').nth(index).getByTestId('run-counts');
const searchTraces = (page: Page) => page.getByRole('searchbox', { name: 'Search the traces' });
const traceMatches = (page: Page) => page.locator('section.traces .log__matches');
const blacklist = (page: Page) => page.getByRole('list', { name: 'Blacklist' });
const tree = (page: Page) => page.getByRole('list', { name: 'Build tree' });

const defaultNodes = ['rack1-n01', 'rack1-n02', 'rack1-n03', 'rack2-n01', 'rack2-n02', 'rack3-g01', 'rack3-g02'];
const passing = defaultNodes.filter((n) => n !== 'rack2-n01' && n !== 'rack3-g02');

async function openApps(page: Page, server: ConsoleServer): Promise<void> {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Applications');
  await expect(editor(page)).toHaveValue(/^name: hello$/m);
  await expect(deployButton(page)).toHaveText('Deploy to 7 nodes');
}

/** Deploys what the editor holds and waits until the new run is the one shown. */
async function deploy(page: Page): Promise<string> {
  const before = await runs(page).locator('tbody tr').count();
  await deployButton(page).click();
  await expect(runs(page).locator('tbody tr')).toHaveCount(before + 1);
  const id = (await runs(page).locator('tbody tr').first().getAttribute('data-run'))!;
  await expect(runPanel(page)).toHaveAttribute('data-run', id);
  return id;
}

async function setDefinition(page: Page, edit: (text: string) => string): Promise<void> {
  await editor(page).fill(edit(await editor(page).inputValue()));
}

/** The whole view from its top: deploying scrolls the page down to the run. */
async function screenshotView(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await saveScreenshot(page, name);
}

async function countOf(page: Page): Promise<number> {
  const match = /^([\d,]+)/.exec((await traceCount(page).textContent()) ?? '');
  return match ? Number(match[1]!.replace(/,/g, '')) : 0;
}

test.describe('applications against the mocked backend', () => {
  let server: ConsoleServer;

  test.beforeEach(async ({ launch, page, consoleErrors: _watched }) => {
    server = await launch({ mock: true });
    await openApps(page, server);
  });

  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test('a definition with errors names each field; a fixed one is saved into the library', async ({ page }) => {
    const problems = page.getByRole('list', { name: 'Definition problems' });
    await setDefinition(page, (text) => text.replace('name: hello', 'name: Hello World').replace('sources: [/srv/apps/hello/src]', 'sources: [apps/hello]'));
    await expect(problems.locator('[data-field="name"]')).toContainText('lower-case letters');
    await expect(problems.locator('[data-field="sources.0"]')).toContainText('must be an absolute path');
    await expect(editor(page)).toHaveAttribute('aria-invalid', 'true');
    await expect(deployButton(page)).toBeDisabled();

    // The backend resolves the nodes: an unknown one is named on its field too.
    await setDefinition(page, (text) => text.replace('name: Hello World', 'name: hello-e2e').replace('sources: [apps/hello]', 'sources: [/srv/apps/hello/src]').replace('rack1-n03,', 'rack9-n99,'));
    await expect(problems.locator('[data-field="nodes"]')).toContainText('not in the inventory: rack9-n99');
    await expect(deployButton(page)).toBeDisabled();

    await setDefinition(page, (text) => text.replace('rack9-n99,', 'rack1-n03,').replace('labels: [gpu]', 'labels: []'));
    await expect(problems).toBeHidden();
    await expect(page.getByText('Valid definition. Its nodes and labels select 5 nodes.')).toBeVisible();
    await expect(deployButton(page)).toHaveText('Deploy to 5 nodes');
    await expect(page.locator('.app-targets__item[data-node="rack3-g01"] input')).not.toBeChecked();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const library = page.getByRole('navigation', { name: 'Saved definitions' });
    await expect(library.getByRole('button', { name: 'hello-e2e' })).toHaveAttribute('aria-current', 'true');
    await expect(page.getByRole('status').filter({ hasText: 'Saved as' })).toHaveText('Saved as hello-e2e.');
    await screenshotView(page, 'apps-definition');

    await library.getByRole('button', { name: 'hello', exact: true }).click();
    await expect(editor(page)).toHaveValue(/^labels: \[gpu\]$/m);
    await expect(deployButton(page)).toHaveText('Deploy to 7 nodes');
  });

  test('a deploy fills the matrix, builds once per platform along a tree, streams every node, blacklists the bad node and loses the lost one', async ({ page }) => {
    test.setTimeout(60_000);
    await deploy(page);
    await expect(matrix(page).locator('tbody tr')).toHaveCount(7);
    await expect(matrix(page).locator('td[data-status="running"]').first()).toBeVisible();
    await expect(runPanel(page)).toHaveAttribute('data-active', 'false', { timeout: 30_000 });

    for (const node of passing) {
      await expect(row(page, node)).toHaveAttribute('data-status', 'FINISHED');
      await expect(row(page, node).locator('td[data-status="done"]')).toHaveCount(7);
      await expect(row(page, node).locator('[data-col="exit"]')).toHaveText('0');
    }
    // One builder per platform; everyone else got it from a node that had it.
    const builders = tree(page).locator('li[data-builder]');
    await expect(builders).toHaveCount(2);
    const [debian, ubuntu] = [(await builders.nth(0).getAttribute('data-builder'))!, (await builders.nth(1).getAttribute('data-builder'))!];
    expect(debian).toMatch(/^rack[12]-n0\d$/);
    expect(ubuntu).toMatch(/^rack3-g0[12]$/);
    await expect(matrix(page).locator('td[data-phase="build"]', { hasText: 'built here' })).toHaveCount(2);
    await expect(cell(page, debian, 'build')).toContainText('built here');
    await expect(builders.nth(0)).toContainText(`Built on ${debian} for x86_64 debian 12`);
    await expect(builders.nth(0).locator('li[data-from]').first()).toHaveText(new RegExp(`^${debian} → rack\\d-n0\\d, rack\\d-n0\\d$`));
    const otherGpu = ubuntu === 'rack3-g01' ? 'rack3-g02' : 'rack3-g01';
    await expect(builders.nth(1).locator('li[data-from]')).toHaveText(`${ubuntu} → ${otherGpu}`);
    await expect(cell(page, otherGpu, 'build')).toContainText(`from ${ubuntu}`);
    await expect(cell(page, otherGpu, 'build')).toHaveAttribute('title', new RegExp(`received from ${ubuntu} \\(\\d+ KiB\\), built on ${ubuntu}`));

    // The bad node: failed at depends, on the blacklist with the line that put it there.
    const bad = row(page, 'rack2-n01');
    await expect(bad).toHaveAttribute('data-status', 'FAILED');
    await expect(cell(page, 'rack2-n01', 'depends')).toHaveAttribute('data-status', 'failed');
    for (const phase of ['build', 'install', 'start', 'run']) await expect(cell(page, 'rack2-n01', phase)).toHaveAttribute('data-status', 'skipped');
    await expect(bad.locator('[data-col="error"]')).toContainText('blacklisted: W: GPG error');
    const listed = blacklist(page).locator('li[data-node="rack2-n01"]');
    await expect(listed.locator('[data-col="reason"]')).toContainText('NO_PUBKEY 6ED0E7B82643E131');
    await expect(page.locator('.app-targets__item[data-node="rack2-n01"]')).toContainText('blacklisted');

    // The lost node: failed in its run, alone.
    await expect(row(page, 'rack3-g02')).toHaveAttribute('data-status', 'FAILED');
    await expect(cell(page, 'rack3-g02', 'run')).toHaveAttribute('data-status', 'failed');
    await expect(row(page, 'rack3-g02').locator('[data-col="error"]')).toContainText('lost: no answer to 3 polls in a row');
    await expect(page.getByTestId('result-summary')).toHaveText('5 passed · 2 failed');
    await expect(page.getByRole('list', { name: 'Per-node results' }).locator('li[data-node="rack3-g02"]')).toContainText('failed at run: lost:');
    // Two nodes failed: the run is not just "ended", in the list and in its header alike; yesterday's run passed everywhere.
    await expect(runOutcome(page, 0)).toHaveText('partly failed');
    await expect(runOutcome(page, 0)).toHaveClass(/badge--bad/);
    await expect(runCounts(page, 0)).toHaveText('5 passed · 2 failed');
    await expect(runPanel(page).locator('.build__heading [data-outcome]')).toHaveText('partly failed');
    await expect(runOutcome(page, 1)).toHaveText('done');
    await expect(runCounts(page, 1)).toHaveText('3 passed');
    await expect(runs(page)).not.toContainText('ended');

    // Traces of every node that ran, merged; a node's chip shows its lines alone.
    expect(await countOf(page)).toBeGreaterThan(250);
    await expect(traces(page)).toContainText('40 rounds done, exiting with 0');
    for (const node of [...passing, 'rack3-g02']) {
      await nodeChip(page, node).click();
      await expect(nodeChip(page, node)).toHaveAttribute('aria-pressed', 'true');
      await expect(traces(page).locator(`[data-node="${node}"]`).first()).toBeVisible();
      await expect(traces(page).locator(`[data-node]:not([data-node="${node}"])`)).toHaveCount(0);
      await expect(traceCount(page)).toHaveText(/^\d+ of [\d,]+ lines$/);
    }
    await nodeChip(page, debian).click();
    await page.getByRole('group', { name: 'Streams' }).getByRole('button', { name: 'stdout' }).click();
    await page.getByRole('group', { name: 'Streams' }).getByRole('button', { name: 'stderr' }).click();
    await expect(traces(page).locator('[data-stream]:not([data-stream="buildlog"])')).toHaveCount(0);
    await expect(traces(page)).toContainText(`+ cd /root/slipway-apps/`);
    await page.getByRole('group', { name: 'Show the traces of' }).getByRole('button', { name: 'All nodes' }).click();
    await expect(traces(page).locator('[data-node]').first()).toBeVisible();
    await page.getByRole('group', { name: 'Streams' }).getByRole('button', { name: 'stdout' }).click();
    await page.getByRole('group', { name: 'Streams' }).getByRole('button', { name: 'stderr' }).click();
    await screenshotView(page, 'apps-view');
  });

  test('a second deploy skips the blacklisted node, and "Retry failed nodes" reruns the lost node only', async ({ page }) => {
    test.setTimeout(90_000);
    await deploy(page);
    await expect(blacklist(page).locator('li[data-node="rack2-n01"]')).toBeVisible({ timeout: 15_000 });

    await deploy(page);
    const skipped = row(page, 'rack2-n01');
    await expect(skipped).toHaveAttribute('data-status', 'NOT_STARTED');
    await expect(skipped.locator('[data-col="status"] [data-status]')).toHaveText('skipped');
    await expect(skipped.locator('[data-col="status"]')).not.toContainText('NOT_STARTED');
    // The time it was listed, as every time in the console: HH:MM:SS today, YYYY-MM-DD HH:MM before; never ISO.
    await expect(skipped.locator('[data-col="error"]')).toHaveText(/^skipped: on the blacklist since (\d\d:\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d) \(W: GPG error/);
    await expect(page.getByRole('list', { name: 'Per-node results' }).locator('li[data-node="rack2-n01"]')).not.toContainText(/\dT\d\d:\d\d/);
    await expect(skipped.locator('td[data-status="skipped"]')).toHaveCount(7);
    await expect(runPanel(page)).toHaveAttribute('data-active', 'false', { timeout: 30_000 });
    await expect(row(page, 'rack3-g02')).toHaveAttribute('data-status', 'FAILED');
    await expect(matrix(page).locator('tr[data-status="FINISHED"]')).toHaveCount(5);

    const retry = page.getByRole('button', { name: 'Retry failed nodes' });
    await expect(page.locator('#retry-which')).toHaveText('rack3-g02');
    const homes = await Promise.all(passing.map((node) => cell(page, node, 'home').getAttribute('title')));
    await retry.click();
    await expect(page.locator('[data-notice="retrying"]')).toHaveText('Retrying rack3-g02.');
    await expect(row(page, 'rack3-g02')).toHaveAttribute('data-status', 'FINISHED', { timeout: 30_000 });
    await expect(row(page, 'rack3-g02').locator('td[data-status="done"]')).toHaveCount(7);
    await expect(runPanel(page)).toHaveAttribute('data-active', 'false');
    // Nothing else ran again.
    expect(await Promise.all(passing.map((node) => cell(page, node, 'home').getAttribute('title')))).toEqual(homes);
    await expect(skipped).toHaveAttribute('data-status', 'NOT_STARTED');
    await expect(page.getByTestId('result-summary')).toHaveText('6 passed · 1 skipped');
    await expect(retry).toBeDisabled();
    await expect(runOutcome(page, 1)).toHaveText('partly failed');
    await expect(runCounts(page, 1)).toHaveText('5 passed · 2 failed');
    // Everything that ran passed, but the blacklisted node never started: not a clean "done".
    await expect(runOutcome(page, 0)).toHaveText('partly done');
    await expect(runCounts(page, 0)).toHaveText('6 passed · 1 not started');
    await screenshotView(page, 'apps-retried');
  });

  test('stop asks first, then stops the ticked node with TERM, then the rest of the run', async ({ page }) => {
    test.setTimeout(60_000);
    await setDefinition(page, (text) =>
      text.replace(/^run: .*$/m, 'run: ${SOURCES}/bin/hello && sleep 600').replace(/^nodes: .*$/m, 'nodes: [rack1-n01, rack1-n02, rack1-n03]').replace('labels: [gpu]', 'labels: []'),
    );
    await expect(deployButton(page)).toHaveText('Deploy to 3 nodes');
    await deploy(page);
    await expect(matrix(page).locator('tr[data-status="RUNNING"]')).toHaveCount(3, { timeout: 20_000 });

    await row(page, 'rack1-n02').getByRole('checkbox', { name: 'Select rack1-n02' }).check();
    await page.getByRole('button', { name: 'Stop 1 selected' }).click();
    let dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('heading')).toHaveText('Stop hello on 1 node?');
    await expect(dialog.getByRole('list', { name: 'Nodes to stop' })).toHaveText('rack1-n02');
    await expect(dialog.getByRole('button', { name: 'Keep running' })).toBeFocused();
    await page.screenshot({ path: join(screenshotDir, 'apps-stop-dialog.png') });
    await dialog.getByRole('button', { name: 'Keep running' }).click();
    await expect(dialog).toBeHidden();
    await expect(row(page, 'rack1-n02')).toHaveAttribute('data-status', 'RUNNING');

    await page.getByRole('button', { name: 'Stop 1 selected' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop 1 node' }).click();
    await expect(row(page, 'rack1-n02')).toHaveAttribute('data-status', 'STOPPED');
    await expect(row(page, 'rack1-n02').locator('[data-col="stopped-with"]')).toHaveText('TERM');
    await expect(row(page, 'rack1-n02').locator('[data-col="exit"]')).toHaveText('143');
    await expect(cell(page, 'rack1-n02', 'run')).toHaveAttribute('title', /stopped \(TERM\), exit code 143/);
    await expect(page.locator('[data-notice="stopped"]')).toHaveText('Stopped rack1-n02.');
    for (const node of ['rack1-n01', 'rack1-n03']) await expect(row(page, node)).toHaveAttribute('data-status', 'RUNNING');

    await page.getByRole('button', { name: 'Stop the run' }).click();
    dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('heading')).toHaveText('Stop the run of hello?');
    await expect(dialog.getByRole('list', { name: 'Nodes to stop' }).locator('li')).toHaveText(['rack1-n01', 'rack1-n03']);
    await dialog.getByRole('button', { name: 'Stop 2 nodes' }).click();
    await expect(matrix(page).locator('tr[data-status="STOPPED"]')).toHaveCount(3);
    await expect(matrix(page).locator('[data-col="stopped-with"]')).toHaveText(['TERM', 'TERM', 'TERM']);
    await expect(runPanel(page)).toHaveAttribute('data-active', 'false');
    await expect(page.getByTestId('result-summary')).toHaveText('3 stopped');
    await expect(runOutcome(page, 0)).toHaveText('stopped');
    await expect(runOutcome(page, 0)).toHaveClass(/badge--warn/);
    await expect(page.getByRole('button', { name: 'Stop the run' })).toBeDisabled();
    await nodeChip(page, 'rack1-n01').click();
    await expect(traces(page)).toContainText('hello: caught SIGTERM, exiting');
    await screenshotView(page, 'apps-stopped');
  });

  test('a node is taken off the blacklist after confirmation, and the next deploy tries it again', async ({ page }) => {
    await deploy(page);
    const listed = blacklist(page).locator('li[data-node="rack2-n01"]');
    await expect(listed).toBeVisible({ timeout: 15_000 });
    await listed.getByRole('button', { name: 'Take rack2-n01 off the blacklist' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('heading')).toHaveText('Take rack2-n01 off the blacklist?');
    await expect(dialog).toContainText('NO_PUBKEY');
    await expect(dialog.getByRole('button', { name: 'Keep it listed' })).toBeFocused();
    await dialog.getByRole('button', { name: 'Keep it listed' }).click();
    await expect(listed).toBeVisible();

    await listed.getByRole('button', { name: 'Take rack2-n01 off the blacklist' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Take it off' }).click();
    await expect(blacklist(page)).toBeHidden();
    await expect(page.locator('.app-blacklist')).toContainText('No node is on the blacklist');
    await expect(page.locator('.app-targets__item[data-node="rack2-n01"]')).not.toContainText('blacklisted');

    await deploy(page);
    // Tried again, not skipped: it fails at depends again and goes back on the list.
    await expect(cell(page, 'rack2-n01', 'depends')).toHaveAttribute('data-status', 'failed', { timeout: 15_000 });
    await expect(blacklist(page).locator('li[data-node="rack2-n01"]')).toBeVisible();
  });

  test('opens on the latest run, and downloading its results shows the folder they went to', async ({ page }) => {
    await expect(runs(page).locator('tbody tr')).toHaveCount(1);
    await expect(runPanel(page)).toHaveAttribute('data-active', 'false');
    await expect(matrix(page).locator('tr[data-status="FINISHED"]')).toHaveCount(3);
    await expect(tree(page).locator('li[data-from="rack1-n01"]')).toHaveText('rack1-n01 → rack1-n02, rack1-n03');
    const id = (await runPanel(page).getAttribute('data-run'))!;
    await page.getByRole('button', { name: 'Download results' }).click();
    await expect(page.getByTestId('download-dir')).toHaveText(`/var/lib/slipway/state/apps/runs/${id}/results`);
    await expect(page.locator('[data-notice="download"]')).toContainText(/: 7 files, [\d.]+ KiB\.$/);
  });

  test('the traces are searched as the build log is: "n of m", matching lines only, within the node chosen', async ({ page }) => {
    // Yesterday's run: three nodes, 40 rounds each, every tenth answered late (on stderr).
    await expect(runPanel(page)).toHaveAttribute('data-active', 'false');
    await expect(traces(page)).toContainText('40 rounds done, exiting with 0');
    const all = await countOf(page);
    await searchTraces(page).fill('answered late');
    await expect(traceMatches(page)).toHaveText('1 of 12');
    await searchTraces(page).press('Enter');
    await expect(traceMatches(page)).toHaveText('2 of 12');
    await expect(traces(page).locator('.log__row--current')).toContainText('answered late');

    await page.locator('section.traces').getByRole('checkbox', { name: 'matching lines only' }).check();
    await expect(traces(page).locator('[data-node]')).toHaveCount(12);
    await expect(traces(page).locator('.log__row').filter({ hasNotText: 'answered late' })).toHaveCount(0);
    await expect(traces(page).locator('[data-stream="stderr"]')).toHaveCount(12);

    // Searched within the node chip's lines: its four.
    await nodeChip(page, 'rack1-n02').click();
    await expect(traceMatches(page)).toHaveText('1 of 4');
    await expect(traces(page).locator('[data-node]')).toHaveCount(4);
    await expect(traces(page).locator('[data-node]:not([data-node="rack1-n02"])')).toHaveCount(0);

    await page.locator('section.traces').getByRole('checkbox', { name: 'matching lines only' }).uncheck();
    await searchTraces(page).press('Escape');
    await expect(traceMatches(page)).toHaveText('');
    await page.getByRole('group', { name: 'Show the traces of' }).getByRole('button', { name: 'All nodes' }).click();
    await expect(traceCount(page)).toHaveText(`${all} lines`);
    const raw = page.locator('section.traces');
    await expect(raw.getByRole('button', { name: 'Download' })).toBeEnabled();
    await expect(raw.getByRole('button', { name: 'Open raw' })).toBeEnabled();
  });

  test('Deploy takes the page down to the new run\'s traces; a run whose only node failed is "failed"', async ({ page }) => {
    await setDefinition(page, (text) => text.replace(/^nodes: .*$/m, 'nodes: [rack2-n01]').replace('labels: [gpu]', 'labels: []'));
    await expect(deployButton(page)).toHaveText('Deploy to 1 node');
    // Yesterday's run is shown, its traces far below the deploy button.
    await expect(traces(page)).toBeAttached();
    await expect(traces(page)).not.toBeInViewport();
    const id = await deploy(page);
    await expect(runs(page).locator(`tbody tr[data-run="${id}"]`)).toHaveAttribute('aria-current', 'true');
    await expect(traces(page)).toBeInViewport();
    await expect(runPanel(page)).toHaveAttribute('data-active', 'false', { timeout: 15_000 });
    await expect(runOutcome(page, 0)).toHaveText('failed');
    await expect(runCounts(page, 0)).toHaveText('1 failed');
    await expect(runPanel(page).locator('.build__heading [data-outcome]')).toHaveText('failed');
  });

  test('a hundred thousand trace lines stream in and stay quick to scroll and filter', async ({ page }) => {
    test.setTimeout(90_000);
    await setDefinition(page, (text) => text.replace(/^env: .*$/m, 'env: { LINES: "20000" }'));
    // Five nodes that run to the end (not the bad one nor the lost one): 20,000 rounds each, and a late one in ten on stderr.
    for (const node of ['rack2-n01', 'rack3-g02']) await page.locator(`.app-targets__item[data-node="${node}"] input`).uncheck();
    await expect(deployButton(page)).toHaveText('Deploy to 5 nodes');
    await deploy(page);
    await expect(runPanel(page)).toHaveAttribute('data-active', 'false', { timeout: 60_000 });
    await expect.poll(() => countOf(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(110_000);
    await expect(traceCount(page)).toHaveText(/^110,\d{3} lines$/);
    // Only the rows in view are in the page.
    expect(await traces(page).locator('[data-node]').count()).toBeLessThan(120);
    await traces(page).evaluate((element) => {
      element.scrollTop = 0;
    });
    await expect(traces(page).locator('[data-node]').first()).toBeVisible();
    await expect(page.getByRole('button', { name: '↓ Follow the tail' })).toBeVisible();
    await nodeChip(page, 'rack1-n02').click();
    await expect(traceCount(page)).toHaveText(/^22,0\d\d of 110,\d{3} lines$/);
    await expect(traces(page).locator('[data-node]:not([data-node="rack1-n02"])')).toHaveCount(0);
  });
});
