import type { Page } from '@playwright/test';
import type { ConsoleServer } from './support/console-server.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot } from './support/screenshots.js';

// The mock (electron/mock/mock-boot.ts, mock-netboot.ts): a boot test plays a Debian serial console to "login:";
// the netboot services refuse interface eth9 (no such interface) and HTTP port 80 (in use); three nodes netboot.

const buildPanel = (page: Page) => page.locator('section.build');
const bootPanel = (page: Page) => page.locator('section.boot-test');
const serialConsole = (page: Page) => page.getByRole('region', { name: 'Serial console', exact: true });
const services = (page: Page) => page.locator('section.netboot');
const nodeRow = (page: Page, node: string) => page.getByRole('table', { name: 'Netbooting nodes' }).locator(`tr[data-node="${node}"]`);

async function openView(page: Page, server: ConsoleServer, name: string): Promise<void> {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
}

test.describe('boot tests and netboot services against the mocked backend', () => {
  let server: ConsoleServer;

  test.beforeEach(async ({ launch, consoleErrors: _watched }) => {
    server = await launch({ mock: true });
  });

  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test('a boot test of a build streams the serial console until the login prompt', async ({ page }) => {
    await openView(page, server, 'Builds');
    const editor = page.getByLabel('Image spec (YAML)');
    await expect(editor).toHaveValue(/name: bookworm-node/);
    await editor.fill((await editor.inputValue()).replace(/^name: .*$/m, 'name: e2e-boot'));
    await expect(page.getByText('Valid spec.')).toBeVisible();
    await page.getByRole('button', { name: 'Build', exact: true }).click();
    await expect(buildPanel(page)).toHaveAttribute('data-status', 'succeeded');

    const start = bootPanel(page).getByRole('button', { name: 'Boot test', exact: true });
    await start.click();
    await expect(bootPanel(page)).toHaveAttribute('data-status', 'running');
    // Lines arrive while it runs: the kernel's first, the stage shown beside the badge.
    await expect(serialConsole(page)).toContainText('Linux version 6.1.0-27-amd64');
    await expect(bootPanel(page).getByRole('button', { name: 'Stop boot test' })).toBeVisible();
    await expect(bootPanel(page)).toHaveAttribute('data-status', 'succeeded');
    await expect(serialConsole(page)).toContainText('labnode login:');
    await expect(bootPanel(page).getByTestId('boot-outcome')).toHaveText(/^booted: reached "login:" in .* \(TCG\)$/);
    await expect(bootPanel(page).locator('[data-step="boot"]')).toHaveAttribute('data-status', 'done');
    await expect(bootPanel(page).getByRole('button', { name: 'Boot test again' })).toBeEnabled();
    await saveScreenshot(page, 'boot-test');
  });

  test('the netboot services start with the interface\u2019s errors in place, show nodes\u2019 boots, and stop after a confirmation', async ({ page }) => {
    await openView(page, server, 'Publish');
    await expect(services(page)).toHaveAttribute('data-serving', 'false');
    const form = page.getByRole('form', { name: 'Netboot services' });
    await form.getByLabel('Interface').fill('eth9');
    await form.getByRole('button', { name: 'Start' }).click();
    await expect(services(page).locator('[data-field="nb-interface"] .field__error')).toHaveText('no interface eth9: Device "eth9" does not exist.');
    await form.getByLabel('Interface').fill('eth1');
    await form.getByLabel('HTTP port').fill('80');
    await form.getByRole('button', { name: 'Start' }).click();
    await expect(services(page).getByRole('alert')).toContainText('port 80 on 10.20.0.1 is in use');
    await form.getByLabel('HTTP port').fill('8740');
    await form.getByRole('button', { name: 'Start' }).click();
    await expect(services(page)).toHaveAttribute('data-serving', 'true');
    await expect(services(page).locator('[data-service="tftp"]')).toContainText('TFTP on 10.20.0.1 (eth1), proxy-dhcp');
    await expect(form.getByRole('button', { name: 'Restart' })).toBeVisible();

    await expect(nodeRow(page, 'node-a01').locator('[data-stage]')).toHaveText(['address', 'config served', 'kernel fetched', 'initrd fetched', 'root image fetched', 'booted']);
    await expect(nodeRow(page, 'node-a02').locator('[data-col="last"]')).toContainText('not the next version');
    await expect(nodeRow(page, 'node-b01').locator('[data-col="next"]')).toHaveText('nothing published for amd64/generic/trixie/compute');
    await saveScreenshot(page, 'netboot-services');

    // A purpose's kernel arguments: checked by the contract, saved, shown as saved.
    await services(page).getByText('Kernel arguments per purpose').click();
    const args = page.getByRole('form', { name: 'Kernel arguments for rescue' });
    await args.getByLabel('rescue').fill('systemd.unit=rescue.target  quiet');
    await args.getByRole('button', { name: 'Save' }).click();
    await expect(args.locator('.field__error')).toContainText('must be printable words separated by single spaces');
    await args.getByLabel('rescue').fill('systemd.unit=rescue.target quiet');
    await args.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('form', { name: 'Kernel arguments for rescue' }).getByRole('button', { name: 'Save' })).toBeDisabled();
    await expect(page.getByRole('form', { name: 'Kernel arguments for rescue' }).getByLabel('rescue')).toHaveValue('systemd.unit=rescue.target quiet');

    // One node back to the version before, the others staying; then following its purpose again.
    const next = nodeRow(page, 'node-a01').locator('[data-col="next"]');
    await nodeRow(page, 'node-a01').getByRole('button', { name: 'Roll back' }).click();
    await page.getByRole('dialog', { name: 'Roll node-a01 back to install-0d77e1f2a9b3c611?' }).getByRole('button', { name: 'Roll back' }).click();
    await expect(next).toHaveText('install-0d77e1f2a9b3c611held');
    await expect(nodeRow(page, 'node-a02').locator('[data-col="next"]')).toHaveText('install-3f9c2a7d1e0b4c58');
    await nodeRow(page, 'node-a01').getByRole('button', { name: 'Follow purpose' }).click();
    await expect(next).toHaveText('install-3f9c2a7d1e0b4c58');

    await services(page).getByRole('button', { name: 'Stop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop the netboot services?' });
    await dialog.getByRole('button', { name: 'Keep serving' }).click();
    await expect(services(page)).toHaveAttribute('data-serving', 'true');
    await services(page).getByRole('button', { name: 'Stop' }).click();
    await dialog.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(services(page)).toHaveAttribute('data-serving', 'false');
  });
});
