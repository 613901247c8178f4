import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ConsoleServer } from './support/console-server.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot, screenshotDir } from './support/screenshots.js';

// The mocked lab (electron/mock/mock-node-fleet.ts): rack3-n07 refuses connections, rack2-n03 refuses the keys,
// bench-01 presents a changed host key, rack4-n01's key is not known yet (one prompt at start).

const table = (page: Page) => page.getByRole('table', { name: 'Nodes' });
const row = (page: Page, name: string) => table(page).locator(`tr[data-node="${name}"]`);
const hostKey = (page: Page) => page.getByRole('dialog', { name: 'Unknown host key' });
const detail = (page: Page) => page.locator('section.node');
const filter = (page: Page) => page.getByLabel('Filter nodes');
const nodesLink = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Nodes/ });

async function openNodes(page: Page, server: ConsoleServer): Promise<void> {
  await page.goto(server.url);
  await nodesLink(page).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nodes');
  await expect(row(page, 'rack1-n01')).toHaveAttribute('data-state', 'reachable');
}

/** The pending prompt for rack4-n01 greets every fresh page; most tests put it off. */
async function answerLater(page: Page): Promise<void> {
  await hostKey(page).getByRole('button', { name: 'Later' }).click();
  await expect(hostKey(page)).toBeHidden();
}

async function openDetail(page: Page, name: string): Promise<void> {
  await row(page, name).getByRole('button', { name, exact: true }).click();
  await expect(detail(page)).toHaveAttribute('data-node', name);
}

/** The viewport only: a modal's backdrop covers the viewport, not a full-page capture. */
async function screenshotModal(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

test.describe('nodes against the mocked backend', () => {
  let server: ConsoleServer;
  let consoleErrors: string[];

  test.beforeEach(async ({ launch, page }) => {
    // CSP violations and render errors surface only here.
    consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    server = await launch({ mock: true });
    await openNodes(page, server);
  });

  test.afterEach(() => {
    expect(consoleErrors).toEqual([]);
  });

  test('the table shows every node with its state, bars and labels; the filter narrows it', async ({ page }) => {
    await answerLater(page);
    await expect(table(page).locator('tbody tr')).toHaveCount(12);
    const states = { 'rack1-n01': 'reachable', 'rack3-n07': 'unreachable', 'rack2-n03': 'auth-failed', 'rack4-n01': 'host-key-unknown', 'bench-01': 'host-key-changed' };
    for (const [name, state] of Object.entries(states)) {
      await expect(row(page, name)).toHaveAttribute('data-state', state);
      await expect(row(page, name).locator('.badge')).toHaveText(state);
    }
    await expect(row(page, 'rack1-n01').locator('.badge')).toHaveClass(/badge--ok/);
    await expect(row(page, 'rack3-n07').locator('.badge')).toHaveClass(/badge--bad/);
    await expect(row(page, 'bench-01').locator('.badge')).toHaveClass(/badge--warn/);

    const n01 = row(page, 'rack1-n01');
    await expect(n01).toContainText('10.0.1.11:22');
    await expect(n01.locator('[data-col="last-seen"]')).toHaveText(/just now|\d+ s ago/);
    for (const meter of ['Load', 'Memory', 'Disk']) {
      await expect(n01.getByRole('meter', { name: meter })).toHaveAttribute('aria-valuenow', /^\d+$/);
    }
    await expect(n01.locator('.chip')).toHaveText(['rack=1', 'compute']);
    await expect(row(page, 'rack2-n02').getByRole('meter', { name: 'Disk' })).toHaveClass(/usage--bad/);
    await expect(row(page, 'rack3-n07').getByRole('meter')).toHaveCount(0);
    await expect(row(page, 'rack3-n07').locator('[data-col="last-seen"]')).toHaveText(/^2 h 1[34] min ago$/);
    await expect(row(page, 'rack4-n01')).toContainText('via lab-gw');
    await expect(page.getByRole('status').filter({ hasText: 'host key' })).toContainText('1 host key waits for your answer');

    await filter(page).fill('gpu');
    await expect(table(page).locator('tbody tr')).toHaveCount(2);
    await expect(page.getByTestId('nodes-count')).toHaveText('2 of 12 nodes');
    await page.getByLabel('Select all nodes in view').check();
    await expect(page.getByTestId('nodes-count')).toHaveText('2 of 12 nodes · 2 selected');
    await expect(page.getByRole('button', { name: 'Edit', exact: true })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Remove', exact: true })).toBeEnabled();
    await filter(page).fill('rack=3 unreach');
    await expect(table(page).locator('tbody tr')).toHaveCount(1);
    await expect(row(page, 'rack3-n07')).toBeVisible();
    await filter(page).fill('host-key');
    await expect(table(page).locator('tbody tr')).toHaveCount(2);
    await filter(page).fill('nothing-like-this');
    await expect(page.getByText('No node matches “nothing-like-this”.')).toBeVisible();
    await filter(page).fill('');
    await expect(table(page).locator('tbody tr')).toHaveCount(12);

    await openDetail(page, 'rack3-g01');
    await expect(detail(page).getByLabel('System')).toContainText('Ubuntu 22.04.5 LTS');
    await expect(detail(page).getByLabel('System')).toContainText('64');
    await page.evaluate('window.scrollTo(0, 0)');
    await saveScreenshot(page, 'nodes-table');
  });

  test('accepting an unknown host key makes the node reachable', async ({ page }) => {
    const dialog = hostKey(page);
    await expect(dialog).toBeVisible();
    await expect(dialog).toHaveAttribute('data-node', 'rack4-n01');
    await expect(dialog).toContainText("The authenticity of host 10.0.4.11:22 (node rack4-n01) can't be established.");
    await expect(dialog).toContainText('ssh-ed25519');
    await expect(dialog.getByTestId('hostkey-fingerprint')).toHaveText(/^SHA256:[A-Za-z0-9+/]{43}$/);
    await expect(nodesLink(page)).toContainText('1');
    await openDetail(page, 'rack4-n01');
    await expect(detail(page).locator('[data-callout="host-key-unknown"]')).toContainText('waits for your answer');
    await saveScreenshot(page, 'nodes-host-key');

    await dialog.getByRole('button', { name: 'Accept and remember' }).click();
    await expect(dialog).toBeHidden();
    await expect(row(page, 'rack4-n01')).toHaveAttribute('data-state', 'reachable');
    await expect(detail(page)).toHaveAttribute('data-state', 'reachable');
    await expect(detail(page).getByLabel('System')).toContainText('rack4-n01');
    await expect(row(page, 'rack4-n01').getByRole('meter', { name: 'Load' })).toBeVisible();
    await expect(nodesLink(page).locator('.nav__count')).toHaveCount(0);
  });

  test('a rejected host key keeps the node host-key-unknown, with the error, on a fresh page too', async ({ page }) => {
    await hostKey(page).getByRole('button', { name: 'Reject' }).click();
    await expect(hostKey(page)).toBeHidden();
    await openDetail(page, 'rack4-n01');
    await expect(detail(page).getByRole('list', { name: 'Recent errors' }).locator('li').first()).toContainText('host key rejected by the operator');

    await page.reload();
    await expect(row(page, 'rack4-n01')).toHaveAttribute('data-state', 'host-key-unknown');
    await page.getByRole('button', { name: 'Poll now' }).click();
    await expect(page.getByRole('button', { name: 'Poll now' })).toBeEnabled();
    await expect(hostKey(page)).toHaveCount(0);
    await expect(row(page, 'rack4-n01')).toHaveAttribute('data-state', 'host-key-unknown');
    await openDetail(page, 'rack4-n01');
    await expect(detail(page)).toContainText('host key rejected by the operator');
    await expect(detail(page).locator('[data-callout="host-key-unknown"]')).toContainText('not trusted');
  });

  test('the detail shows why a node is unreachable, and refuses a changed host key outright', async ({ page }) => {
    await answerLater(page);
    await openDetail(page, 'rack3-n07');
    await expect(detail(page).getByRole('list', { name: 'Recent errors' })).toContainText('connect ECONNREFUSED 10.0.3.7:22');
    await expect(detail(page)).toContainText(/No facts: the node last answered 2 h 1[34] min ago/);

    await openDetail(page, 'bench-01');
    const callout = detail(page).locator('[data-callout="host-key-changed"]');
    await expect(callout).toContainText('The host key changed. Slipway refuses to connect; check the node, then remove its old entry from known_hosts.');
    await expect(callout).toContainText("ssh-keygen -R '[10.0.9.2]:2222'");
    await expect(detail(page).getByRole('list', { name: 'Recent errors' })).toContainText('the host key changed: refused');
    await expect(page.getByRole('button', { name: /accept/i })).toHaveCount(0);
    await expect(hostKey(page)).toHaveCount(0);
    await saveScreenshot(page, 'nodes-host-key-changed');
  });

  test('add checks fields inline, then edit and remove with confirmation', async ({ page }) => {
    await answerLater(page);
    await page.getByRole('button', { name: 'Add node' }).click();
    const form = page.getByRole('dialog', { name: 'Add a node' });
    await expect(form.getByLabel('Name')).toBeFocused();
    await form.getByLabel('Name').fill('rack1-n04');
    await form.getByLabel('Host').fill('10.0.1.14');
    await form.getByLabel('Port').fill('70022');
    await form.getByLabel('Labels').fill('rack=1, compute');
    await form.getByRole('button', { name: 'Add node' }).click();
    const port = form.locator('[data-field="port"]');
    await expect(port.locator('.field__error')).toHaveText('must be a port number from 1 to 65535');
    await expect(form.getByLabel('Port')).toHaveAttribute('aria-invalid', 'true');
    await expect(form.getByLabel('Port')).toBeFocused();
    await screenshotModal(page, 'nodes-form-error');
    await form.getByLabel('Port').fill('22');
    await expect(port.locator('.field__error')).toHaveCount(0);

    // Valid here, refused by the backend: the error lands on its field.
    await form.getByLabel('Name').fill('rack1-n01');
    await form.getByRole('button', { name: 'Add node' }).click();
    await expect(form.locator('[data-field="name"] .field__error')).toHaveText('a node named rack1-n01 is in the inventory already');
    await form.getByLabel('Name').fill('rack1-n04');
    await form.getByRole('button', { name: 'Add node' }).click();
    await expect(form).toBeHidden();
    await expect(row(page, 'rack1-n04')).toHaveAttribute('data-state', 'reachable');
    await expect(table(page).locator('tbody tr')).toHaveCount(13);

    await row(page, 'rack1-n04').getByLabel('Select rack1-n04').check();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('dialog', { name: 'Edit rack1-n04' });
    await expect(edit.getByLabel('Host')).toHaveValue('10.0.1.14');
    await edit.getByLabel('Labels').fill('rack=1, compute, spare');
    await edit.getByLabel('User').fill('lab');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(edit).toBeHidden();
    await expect(row(page, 'rack1-n04').locator('.chip')).toHaveText(['rack=1', 'compute', 'spare']);
    await expect(row(page, 'rack1-n04')).toContainText('lab');

    await row(page, 'rack1-n03').getByLabel('Select rack1-n03').check();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove 2 nodes from the inventory?' });
    await expect(confirm).toContainText('Nothing on the nodes is touched.');
    await expect(confirm.getByRole('list', { name: 'Nodes to remove' }).locator('li')).toHaveText(['rack1-n03', 'rack1-n04']);
    await expect(confirm.getByRole('button', { name: 'Keep' })).toBeFocused();
    await confirm.getByRole('button', { name: 'Remove 2 nodes' }).click();
    await expect(confirm).toBeHidden();
    await expect(row(page, 'rack1-n03')).toHaveCount(0);
    await expect(row(page, 'rack1-n04')).toHaveCount(0);
    await expect(table(page).locator('tbody tr')).toHaveCount(11);
    await expect(page.getByTestId('nodes-count')).toHaveText('11 nodes');
  });

  test('import from ~/.ssh/config previews new, existing and skipped hosts, then adds the new ones', async ({ page }) => {
    await answerLater(page);
    await page.getByRole('button', { name: 'Import from ~/.ssh/config' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import from ~/.ssh/config' });
    const entries = dialog.getByRole('table', { name: 'Hosts in the SSH config' });
    await expect(entries.locator('tr[data-entry="lab-gw"]')).toContainText('in inventory');
    await expect(entries.locator('tr[data-entry="rack5-n01"]')).toContainText('new');
    await expect(entries.locator('tr[data-entry="rack5-n02"]')).toContainText('10.0.5.12:22');
    await expect(dialog.locator('[data-skipped="old-switch"]')).toContainText('port');
    await expect(dialog).toContainText('/home/operator/.ssh/config: 2 new, 1 already in the inventory, 1 skipped');
    await expect(row(page, 'rack5-n01')).toHaveCount(0);
    await screenshotModal(page, 'nodes-import');

    await dialog.getByRole('button', { name: 'Import 2 new nodes' }).click();
    await expect(entries.locator('tr[data-entry="rack5-n01"]')).toContainText('added');
    await expect(dialog).toContainText('Added 2: rack5-n01, rack5-n02.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    for (const name of ['rack5-n01', 'rack5-n02']) {
      await expect(row(page, name)).toHaveAttribute('data-state', 'reachable');
      await expect(row(page, name).locator('.chip')).toHaveText(['imported']);
    }
    await expect(table(page).locator('tbody tr')).toHaveCount(14);
  });
});
