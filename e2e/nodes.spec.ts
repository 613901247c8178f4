import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ConsoleServer } from './support/console-server.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot, screenshotDir } from './support/screenshots.js';
import { answerLater, detail, filter, hostKey, nodesLink, openDetail, openNodes, passphrase, putOffPrompts, recentErrors, row, table, vaultKey } from './support/nodes-page.js';

// The mocked lab (electron/mock/mock-node-fleet.ts): rack3-n07 refuses connections, rack2-n03 refuses the keys,
// bench-01 presents a changed host key, rack4-n01's key is not known yet (one prompt at start), rack5-vault logs in
// with an encrypted key whose passphrase is lab-secret (one passphrase prompt at start).

/** The viewport only: a modal's backdrop covers the viewport, not a full-page capture. */
async function screenshotModal(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

test.describe('nodes against the mocked backend', () => {
  let server: ConsoleServer;

  test.beforeEach(async ({ launch, page, consoleErrors: _watched }) => {
    server = await launch({ mock: true });
    await openNodes(page, server);
  });

  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test('the table shows every node with its state, bars and labels; the filter narrows it', async ({ page }) => {
    await putOffPrompts(page);
    await expect(table(page).locator('tbody tr')).toHaveCount(13);
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
    await expect(page.getByTestId('nodes-count')).toHaveText('2 of 13 nodes');
    await page.getByLabel('Select all nodes in view').check();
    await expect(page.getByTestId('nodes-count')).toHaveText('2 of 13 nodes · 2 selected');
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
    await expect(table(page).locator('tbody tr')).toHaveCount(13);

    await openDetail(page, 'rack3-g01');
    await expect(detail(page).getByLabel('System')).toContainText('Ubuntu 22.04.5 LTS');
    await expect(detail(page).getByLabel('System')).toContainText('64');
    // How health was read: over SFTP (no process on the node), or a shell where the node refuses SFTP, with why.
    await expect(detail(page).getByLabel('Connection').locator('[data-probe]')).toHaveText('Health read over SFTP');
    await openDetail(page, 'lab-gw');
    await expect(detail(page).getByLabel('Connection').locator('[data-probe="exec"]')).toHaveText(
      'Health read over a shell: the node refused the SFTP subsystem (Unable to start subsystem: sftp)',
    );
    await openDetail(page, 'rack3-g01');
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
    // rack4-n01's key and rack5-vault's passphrase.
    await expect(nodesLink(page).locator('.nav__count')).toHaveText('2 prompts to answer');
    await openDetail(page, 'rack4-n01');
    await expect(detail(page).locator('[data-callout="host-key-unknown"]')).toContainText('waits for your answer');
    await saveScreenshot(page, 'nodes-host-key');

    await dialog.getByRole('button', { name: 'Accept and remember' }).click();
    await expect(dialog).toBeHidden();
    await expect(row(page, 'rack4-n01')).toHaveAttribute('data-state', 'reachable');
    await expect(detail(page)).toHaveAttribute('data-state', 'reachable');
    await expect(detail(page).getByLabel('System')).toContainText('rack4-n01');
    await expect(row(page, 'rack4-n01').getByRole('meter', { name: 'Load' })).toBeVisible();
    await expect(nodesLink(page).locator('.nav__count')).toHaveText('1 prompt to answer');
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
    await putOffPrompts(page);
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
    await putOffPrompts(page);
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
    await expect(table(page).locator('tbody tr')).toHaveCount(14);

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
    await expect(table(page).locator('tbody tr')).toHaveCount(12);
    await expect(page.getByTestId('nodes-count')).toHaveText('12 nodes');
  });

  test('import from ~/.ssh/config previews new, existing and skipped hosts, then adds the new ones', async ({ page }) => {
    await putOffPrompts(page);
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
    await expect(table(page).locator('tbody tr')).toHaveCount(15);
  });


  test('an encrypted key asks for its passphrase: a wrong one is refused and asked again, the right one connects', async ({ page }) => {
    await answerLater(page);
    const dialog = passphrase(page);
    await expect(dialog).toHaveAttribute('data-node', 'rack5-vault');
    await expect(dialog.getByTestId('passphrase-key')).toHaveText(vaultKey);
    await expect(dialog).toContainText('Slipway keeps it for this session only, in memory.');
    const input = dialog.getByLabel('Passphrase');
    await expect(input).toHaveAttribute('type', 'password');
    await expect(input).toHaveAttribute('autocomplete', 'off');
    await expect(dialog.getByRole('button', { name: 'Unlock' })).toBeDisabled();
    await expect(row(page, 'rack5-vault')).toHaveAttribute('data-state', 'auth-failed');
    await expect(row(page, 'rack5-vault').locator('.chip')).toHaveText(['rack=5']);
    await input.fill('not-the-secret');
    await screenshotModal(page, 'nodes-passphrase');

    await openDetail(page, 'rack5-vault');
    await expect(detail(page).locator('[data-callout="passphrase"]')).toContainText(`The key ${vaultKey} is encrypted`);
    await expect(recentErrors(page).locator('li').first()).toContainText(`the key ${vaultKey} is encrypted: waiting for its passphrase`);

    // A wrong passphrase: the prompt goes, the node says why, and a poll asks again.
    const first = await dialog.getAttribute('data-prompt');
    await input.press('Enter');
    await expect(page.locator(`[data-prompt="${first}"]`)).toHaveCount(0);
    await expect(recentErrors(page)).toContainText(`wrong passphrase for ${vaultKey}`);
    await expect(detail(page)).toHaveAttribute('data-state', 'auth-failed');
    await detail(page).getByRole('button', { name: 'Poll this node' }).click();
    await expect(dialog).toBeVisible();
    await expect(dialog).not.toHaveAttribute('data-prompt', first!);
    await expect(dialog.getByLabel('Passphrase')).toHaveValue('');

    // The right one: reachable, with facts, and not asked again.
    await dialog.getByLabel('Passphrase').fill('lab-secret');
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    await expect(dialog).toBeHidden();
    await expect(row(page, 'rack5-vault')).toHaveAttribute('data-state', 'reachable');
    await expect(detail(page)).toHaveAttribute('data-state', 'reachable');
    await expect(detail(page).getByLabel('System')).toContainText('rack5-vault');
    await expect(detail(page).locator('[data-callout]')).toHaveCount(0);
    await detail(page).getByRole('button', { name: 'Poll this node' }).click();
    await expect(detail(page).getByRole('button', { name: 'Poll this node' })).toBeEnabled();
    await expect(dialog).toHaveCount(0);
    // Only rack4-n01's key, put off, still waits.
    await expect(nodesLink(page).locator('.nav__count')).toHaveText('1 prompt to answer');
  });

  test('a header click sorts the table by its column, a second click turns it around; aria-sort says which', async ({ page }) => {
    await putOffPrompts(page);
    const header = (name: string) => table(page).getByRole('columnheader', { name, exact: true });
    const names = table(page).locator('tbody th[scope="row"]');
    await expect(header('Name')).toHaveAttribute('aria-sort', 'ascending');
    await expect(header('State')).toHaveAttribute('aria-sort', 'none');
    await expect(names.first()).toHaveText('bench-01');

    await filter(page).fill('rack=3');
    await expect(row(page, 'rack3-n07')).toHaveAttribute('data-state', 'unreachable');
    await expect(row(page, 'rack3-g02')).toHaveAttribute('data-state', 'reachable');
    await expect(names).toHaveText(['rack3-g01', 'rack3-g02', 'rack3-n07']);
    // Addresses by their numbers: 10.0.3.7 before 10.0.3.21.
    await header('Address').getByRole('button').click();
    await expect(header('Address')).toHaveAttribute('aria-sort', 'ascending');
    await expect(header('Name')).toHaveAttribute('aria-sort', 'none');
    await expect(names).toHaveText(['rack3-n07', 'rack3-g01', 'rack3-g02']);
    // States from healthy to needing attention, and back; equal states stay in name order.
    await header('State').getByRole('button').click();
    await expect(header('State')).toHaveAttribute('aria-sort', 'ascending');
    await expect(names).toHaveText(['rack3-g01', 'rack3-g02', 'rack3-n07']);
    await header('State').getByRole('button').click();
    await expect(header('State')).toHaveAttribute('aria-sort', 'descending');
    await expect(names).toHaveText(['rack3-n07', 'rack3-g01', 'rack3-g02']);

    // The sort outlives the filter: all 13 rows, the troubled ones first.
    await filter(page).fill('');
    await expect(names).toHaveCount(13);
    await expect(header('State')).toHaveAttribute('aria-sort', 'descending');
    await expect(names.first()).toHaveText('rack3-n07');
    await header('Name').getByRole('button').click();
    await header('Name').getByRole('button').click();
    await expect(header('Name')).toHaveAttribute('aria-sort', 'descending');
    await expect(names.first()).toHaveText('rack5-vault');
    await expect(names.last()).toHaveText('bench-01');
  });

  test('a filter that hides the open node closes its detail, and the URL follows; back opens it in view again', async ({ page }) => {
    await putOffPrompts(page);
    await openDetail(page, 'rack3-g01');
    await expect(page).toHaveURL(/#\/nodes\/rack3-g01$/);
    await filter(page).fill('gpu');
    await expect(detail(page)).toHaveAttribute('data-node', 'rack3-g01');

    await filter(page).fill('rack=1');
    await expect(table(page).locator('tbody tr')).toHaveCount(3);
    await expect(detail(page)).toHaveCount(0);
    await expect(page).toHaveURL(/#\/nodes$/);
    await expect(table(page).locator('tr[aria-current]')).toHaveCount(0);

    // Back names rack3-g01 again: the filter that hid it gives way, so its row shows beside its detail.
    await page.goBack();
    await expect(detail(page)).toHaveAttribute('data-node', 'rack3-g01');
    await expect(filter(page)).toHaveValue('');
    await expect(row(page, 'rack3-g01')).toHaveAttribute('aria-current', 'true');
  });

  test('a declined passphrase leaves the node auth-failed, unasked until “Poll this node”', async ({ page }) => {
    await answerLater(page);
    await passphrase(page).getByRole('button', { name: 'Cancel' }).click();
    await expect(passphrase(page)).toBeHidden();
    await openDetail(page, 'rack5-vault');
    await expect(detail(page)).toHaveAttribute('data-state', 'auth-failed');
    await expect(recentErrors(page).locator('li').first()).toContainText('passphrase not given');

    await page.getByRole('button', { name: 'Poll now' }).click();
    await expect(page.getByRole('button', { name: 'Poll now' })).toBeEnabled();
    await expect(passphrase(page)).toHaveCount(0);
    await expect(recentErrors(page).locator('li').first()).toContainText('passphrase not given');

    await detail(page).getByRole('button', { name: 'Poll this node' }).click();
    await expect(passphrase(page)).toBeVisible();
    await expect(passphrase(page)).toHaveAttribute('data-node', 'rack5-vault');
    await expect(recentErrors(page).locator('li').first()).toContainText('waiting for its passphrase');
  });

});
