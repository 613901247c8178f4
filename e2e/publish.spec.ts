import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ConsoleServer } from './support/console-server.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot, screenshotDir } from './support/screenshots.js';

// The mock (electron/mock/mock-publish.ts, mock-deploy*.ts): the TFTP tree's amd64/generic/bookworm/install came from
// the seeded bookworm-compute build; fail.configure always fails, slow.configure takes about 20 s; any existing.*
// file, or one an earlier deploy wrote, exists already.

const tree = (page: Page) => page.getByRole('table', { name: 'TFTP tree' });
const treeRow = (page: Page, key: string) => tree(page).locator(`tr[data-entry="${key}"]`);
const publishForm = (page: Page) => page.locator('section.publish');
const publishResult = (page: Page) => publishForm(page).locator('.publish-result');
const deployForm = (page: Page) => page.locator('section.deploy-form');
const deployPanel = (page: Page) => page.locator('section.deploy');
const step = (page: Page, id: string) => deployPanel(page).locator(`[data-step="${id}"]`);
const deployLog = (page: Page) => page.getByRole('region', { name: 'Deploy log' });
const history = (page: Page) => page.getByRole('table', { name: 'Deploy history' });

async function openPublish(page: Page, server: ConsoleServer): Promise<void> {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Publish' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Publish');
  await expect(treeRow(page, 'amd64/generic/bookworm/install')).toBeVisible();
  await expect(history(page).locator('tbody tr')).toHaveCount(2);
}

async function addExtensions(page: Page, ...names: string[]): Promise<void> {
  for (const name of names) await deployForm(page).getByRole('button', { name: `Add ${name}`, exact: true }).click();
}

async function deployTo(page: Page, path: string): Promise<void> {
  await deployForm(page).getByLabel('File', { exact: true }).fill(path);
  await deployForm(page).getByRole('button', { name: 'Deploy', exact: true }).click();
}

/** The whole view from its top: starting a deploy scrolls the page down to it. */
async function screenshotView(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await saveScreenshot(page, name);
}

test.describe('publish and deploy against the mocked backend', () => {
  let server: ConsoleServer;

  test.beforeEach(async ({ launch, page, consoleErrors: _watched }) => {
    server = await launch({ mock: true });
    await openPublish(page, server);
  });

  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test('the TFTP tree shows each purpose with its version, size, source and retained versions', async ({ page }) => {
    await expect(tree(page).locator('tbody tr')).toHaveCount(4);
    const install = treeRow(page, 'amd64/generic/bookworm/install');
    await expect(install.locator('[data-col="version"]')).toHaveText(/^install-[0-9a-f]{16}$/);
    await expect(install.locator('[data-col="source"]')).toContainText('build bookworm-compute');
    await expect(install.locator('[data-col="source"]')).toContainText('vmlinuz-6.1.0-27-amd64');
    await expect(install.locator('[data-col="retained"]')).toHaveText('1');
    await expect(install).toContainText('MiB');
    await expect(treeRow(page, 'arm64/generic/bookworm/install').locator('[data-col="retained"]')).toHaveText('2');
    await expect(treeRow(page, 'amd64/generic/bullseye/install').locator('[data-col="source"]')).toContainText('/srv/netboot/bullseye/vmlinuz-5.10.0-32-amd64');
    await expect(page.locator('.tftp .panel__meta')).toContainText('/srv/tftp');
  });

  test('a purpose is rolled back to the version it kept only after confirmation, and the tree shows it', async ({ page }) => {
    const arm = treeRow(page, 'arm64/generic/bookworm/install');
    const before = (await arm.locator('[data-col="version"]').textContent())!;
    await arm.getByRole('button', { name: 'Roll back' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText(`Roll arm64/generic/bookworm/install back to install-`);
    const to = /back to (install-[0-9a-f]{16})\?/.exec((await dialog.getByRole('heading').textContent())!)![1]!;
    expect(to).not.toBe(before);
    // Keeping the current version changes nothing.
    await dialog.getByRole('button', { name: `Keep ${before}` }).click();
    await expect(dialog).toBeHidden();
    await expect(arm.locator('[data-col="version"]')).toHaveText(before);
    await arm.getByRole('button', { name: 'Roll back' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await expect(arm.locator('[data-col="version"]')).toHaveText(to);
    // The version it left is kept in turn: still two retained, and the next roll back offers it first.
    await expect(arm.locator('[data-col="retained"]')).toHaveText('2');
    await expect(arm.getByRole('button', { name: 'Roll back' })).toHaveAttribute('title', `Back to ${before}`);
  });

  test('publishing a build makes a new version; publishing it again is unchanged', async ({ page }) => {
    const form = publishForm(page);
    await expect(form.getByLabel('Build', { exact: true })).toHaveValue(/.+/);
    await expect(form.getByLabel('Build', { exact: true }).locator('option:checked')).toContainText('bookworm-compute');
    await form.getByLabel('Purpose').fill('e2e-rescue');
    await expect(form.getByTestId('publish-path')).toHaveText('Publishes to /srv/tftp/amd64/generic/bookworm/e2e-rescue');
    await form.getByRole('button', { name: 'Publish', exact: true }).click();

    await expect(publishResult(page)).toHaveAttribute('data-status', 'published');
    await expect(publishResult(page)).toHaveText(/^Published e2e-rescue-[0-9a-f]{16} at amd64\/generic\/bookworm\/e2e-rescue$/);
    const row = treeRow(page, 'amd64/generic/bookworm/e2e-rescue');
    await expect(row).toHaveClass(/is-selected/);
    const version = (await row.locator('[data-col="version"]').textContent())!;
    await expect(publishResult(page)).toContainText(version);
    await expect(row.locator('[data-col="source"]')).toContainText('build bookworm-compute');
    await expect(row.locator('[data-col="retained"]')).toHaveText('0');
    await screenshotView(page, 'publish-view');

    await form.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(publishResult(page)).toHaveAttribute('data-status', 'unchanged');
    await expect(publishResult(page)).toContainText(`Unchanged: amd64/generic/bookworm/e2e-rescue already serves ${version}; nothing was written.`);
    await expect(tree(page).locator('tbody tr')).toHaveCount(5);

    // New content for a purpose that is served already: a new version, the previous one retained.
    await form.getByText('Kernel and initrd files').click();
    await form.getByLabel('Kernel', { exact: true }).fill('/srv/netboot/vmlinuz-6.1.0-28-amd64');
    await form.getByLabel('Initrd', { exact: true }).fill('/srv/netboot/initrd.img-6.1.0-28-amd64');
    await form.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(publishResult(page)).toHaveAttribute('data-status', 'published');
    await expect(row.locator('[data-col="version"]')).not.toHaveText(version);
    await expect(row.locator('[data-col="retained"]')).toHaveText('1');
    await expect(row.locator('[data-col="source"]')).toContainText('/srv/netboot/vmlinuz-6.1.0-28-amd64');
  });

  test('a build host\'s image is published into that host\'s tree, which the TFTP tree then shows; this machine\'s is one choice away', async ({ page }) => {
    // A build on rack1-n03 first (the Builds view), then back here.
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Builds' }).click();
    const editor = page.getByLabel('Image spec (YAML)');
    await expect(editor).toHaveValue(/name: bookworm-node/);
    await page.getByRole('combobox', { name: 'Build on', exact: true }).selectOption('rack1-n03');
    await editor.fill((await editor.inputValue()).replace(/^name: .*$/m, 'name: netboot-on-host'));
    await page.getByRole('button', { name: 'Build', exact: true }).click();
    await expect(page.locator('section.build')).toHaveAttribute('data-status', 'succeeded', { timeout: 60_000 });
    await nav.getByRole('link', { name: 'Publish' }).click();

    const form = publishForm(page);
    const build = form.getByLabel('Build', { exact: true });
    await build.selectOption({ label: (await build.locator('option', { hasText: 'netboot-on-host' }).textContent())! });
    await expect(build.locator('option:checked')).toContainText('on rack1-n03');
    await form.getByLabel('Purpose').fill('on-host');
    // Its tree was not read yet: the path says where, not a root it does not know.
    await expect(form.getByTestId('publish-path')).toHaveText('Publishes to rack1-n03:<its TFTP root>/amd64/generic/bookworm/on-host');
    await form.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(publishResult(page)).toHaveAttribute('data-status', 'published');

    const picker = page.getByRole('combobox', { name: 'TFTP tree on' });
    await expect(picker).toHaveValue('rack1-n03');
    await expect(page.getByTestId('tftp-root')).toHaveText('rack1-n03:/srv/tftp');
    await expect(tree(page).locator('tbody tr')).toHaveCount(1);
    await expect(treeRow(page, 'amd64/generic/bookworm/on-host')).toHaveClass(/is-selected/);
    await expect(form.getByTestId('publish-path')).toHaveText('Publishes to rack1-n03:/srv/tftp/amd64/generic/bookworm/on-host');
    await screenshotView(page, 'publish-host-tree');

    await picker.selectOption('');
    await expect(page.getByTestId('tftp-root')).toHaveText('/srv/tftp');
    await expect(tree(page).locator('tbody tr')).toHaveCount(4);
    await expect(treeRow(page, 'amd64/generic/bookworm/on-host')).toHaveCount(0);
  });

  test('an invalid name shows a field error and publishes nothing', async ({ page }) => {
    const form = publishForm(page);
    await form.getByLabel('Purpose').fill('bad/name');
    await form.getByLabel('Release').fill('x..y');
    await form.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(form.locator('[data-field="publish-purpose"] .field__error')).toHaveText('must be one plain name (letters, digits, ".", "_", "+", "-"; no "/")');
    await expect(form.locator('[data-field="publish-release"] .field__error')).toHaveText('must not contain ".."');
    await expect(form.getByLabel('Purpose')).toHaveAttribute('aria-invalid', 'true');
    await expect(form.getByLabel('Release')).toBeFocused();
    await expect(publishResult(page)).toHaveCount(0);

    await form.getByText('Kernel and initrd files').click();
    // Fields that just appeared are missing, not wrong.
    await expect(form.locator('[data-field="publish-initrd"] .field__error')).toHaveText('required');
    await form.getByLabel('Kernel', { exact: true }).fill('vmlinuz');
    await expect(form.locator('[data-field="publish-kernel"] .field__error')).toHaveText('must be an absolute path');

    await form.getByLabel('Purpose').fill('rescue');
    await form.getByLabel('Release').fill('bookworm');
    await expect(form.locator('[data-field="publish-purpose"] .field__error')).toHaveCount(0);
    await form.getByLabel('Kernel', { exact: true }).fill('/srv/missing-vmlinuz');
    await form.getByLabel('Initrd', { exact: true }).fill('/srv/initrd.img');
    await form.getByRole('button', { name: 'Publish', exact: true }).click();
    // The backend's refusal lands on its field too.
    await expect(form.locator('[data-field="publish-kernel"] .field__error')).toHaveText('/srv/missing-vmlinuz: no such file');
    await expect(tree(page).locator('tbody tr')).toHaveCount(4);
  });

  test('a deploy with two extensions runs every step, masks secrets and shows the output', async ({ page }) => {
    const form = deployForm(page);
    await addExtensions(page, 'add-users.configure', 'set-hostname.configure', 'fail.configure');
    const chosen = form.getByRole('list', { name: 'Chosen extensions' });
    await form.getByRole('button', { name: 'Remove fail.configure' }).click();
    await form.getByRole('button', { name: 'Move set-hostname.configure up' }).click();
    await expect(chosen.locator('li')).toHaveText([/set-hostname\.configure/, /add-users\.configure/]);

    await form.getByLabel('Name 1').fill('HOSTNAME');
    await form.getByLabel('Value 1').fill('e2e-node');
    await form.getByRole('button', { name: '+ Add variable' }).click();
    await form.getByLabel('Name 2').fill('USER_PASSWORD');
    await form.getByLabel('Value 2').fill('hunter2');
    await expect(form.getByLabel('Value 2')).toHaveAttribute('type', 'password');
    await expect(form.getByLabel('Secret 2')).toBeChecked();
    await expect(form.getByLabel('Secret 2')).toBeDisabled();
    // A name that does not say so is declared secret by the operator.
    await form.getByRole('button', { name: '+ Add variable' }).click();
    await form.getByLabel('Name 3').fill('DOOR_CODE');
    await form.getByLabel('Value 3').fill('4817-2259');
    await expect(form.getByLabel('Value 3')).toHaveAttribute('type', 'text');
    await form.getByLabel('Secret 3').check();
    await expect(form.getByLabel('Value 3')).toHaveAttribute('type', 'password');
    await deployTo(page, '/srv/deploy/e2e.tar');

    await expect(deployPanel(page).getByRole('heading', { level: 2 })).toContainText('bookworm-compute/root → tar:/srv/deploy/e2e.tar');
    await expect(step(page, 'extension-1')).toContainText('Run set-hostname.configure');
    await expect(step(page, 'extension-2')).toContainText('Run add-users.configure');
    await expect(deployPanel(page)).toHaveAttribute('data-status', 'succeeded', { timeout: 15_000 });
    await expect(deployPanel(page).locator('[data-step][data-status="done"]')).toHaveCount(7);
    for (const id of ['open-image', 'mount-lower', 'mount-overlay', 'metadata', 'target']) await expect(step(page, id)).toHaveAttribute('data-status', 'done');
    await expect(step(page, 'target').locator('.step__time')).toHaveText(/\d+\.\d s/);
    await expect(page.getByTestId('deploy-location')).toHaveText('/srv/deploy/e2e.tar');
    await expect(page.locator('.deploy__output')).toContainText(/[0-9a-f]{64}/);
    const env = page.getByRole('table', { name: 'Deploy environment' });
    await expect(env.locator('tr[data-env="HOSTNAME"] td')).toHaveText('e2e-node');
    await expect(env.locator('tr[data-env="USER_PASSWORD"] td')).toHaveText('********');
    await expect(env.locator('tr[data-env="DOOR_CODE"] td')).toHaveText('********');
    await expect(deployLog(page)).toContainText('set-hostname.configure: /etc/hostname: e2e-node');
    await expect(deployLog(page)).toContainText('USER_PASSWORD=********');
    await expect(deployLog(page)).toContainText('DOOR_CODE=********');
    await expect(page.locator('body')).not.toContainText('hunter2');
    await expect(page.locator('body')).not.toContainText('4817-2259');
    await expect(history(page).locator('tbody tr')).toHaveCount(3);
    await expect(history(page).locator('tbody tr').first()).toContainText('succeeded');
    await screenshotView(page, 'publish-deploy-succeeded');

    // Deploy again: the form as this deploy had it; secret values were never kept, so they are typed again.
    await deployPanel(page).getByRole('button', { name: 'Deploy again' }).click();
    await expect(chosen.locator('li')).toHaveText([/set-hostname\.configure/, /add-users\.configure/]);
    await expect(form.getByLabel('Name 1')).toHaveValue('HOSTNAME');
    await expect(form.getByLabel('Value 1')).toHaveValue('e2e-node');
    await expect(form.getByLabel('Name 2')).toHaveValue('USER_PASSWORD');
    await expect(form.getByLabel('Value 2')).toHaveValue('');
    await expect(form.getByLabel('Secret 3')).toBeChecked();
    await expect(form.getByLabel('File', { exact: true })).toHaveValue('/srv/deploy/e2e.tar');
  });

  test('a failing extension fails its step, skips the later ones and releases the mounts', async ({ page }) => {
    await addExtensions(page, 'set-hostname.configure', 'fail.configure', 'add-users.configure');
    await deployTo(page, '/srv/deploy/broken.tar');
    await expect(deployPanel(page)).toHaveAttribute('data-status', 'failed', { timeout: 15_000 });
    await expect(step(page, 'extension-1')).toHaveAttribute('data-status', 'done');
    await expect(step(page, 'extension-2')).toHaveAttribute('data-status', 'failed');
    await expect(step(page, 'extension-2')).toContainText('exited with status 1');
    for (const id of ['extension-3', 'metadata', 'target']) await expect(step(page, id)).toHaveAttribute('data-status', 'skipped');
    await expect(page.locator('.failure').getByRole('heading')).toHaveText('Failed at Run fail.configure');
    await expect(deployLog(page)).toContainText('refusing to configure (simulated failure)');
    await expect(deployLog(page)).toContainText('released the overlay and image mounts and the temp dir');
    await expect(page.getByTestId('deploy-location')).toHaveCount(0);
    await screenshotView(page, 'publish-deploy-failed');
  });

  test('a target that exists is replaced only after confirmation', async ({ page }) => {
    await addExtensions(page, 'set-hostname.configure');
    await deployTo(page, '/srv/deploy/existing.tar');
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('heading')).toHaveText('Replace tar:/srv/deploy/existing.tar?');
    await expect(dialog).toContainText('exists already');
    await expect(dialog.getByRole('button', { name: 'Keep it' })).toBeFocused();
    await page.screenshot({ path: join(screenshotDir, 'publish-replace-dialog.png') });
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await expect(dialog).toBeHidden();
    await expect(history(page).locator('tbody tr')).toHaveCount(2);

    await deployForm(page).getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Replace' }).click();
    await expect(deployPanel(page)).toHaveAttribute('data-status', 'succeeded', { timeout: 15_000 });
    await expect(page.getByTestId('deploy-location')).toHaveText('/srv/deploy/existing.tar');
    await expect(history(page).locator('tbody tr')).toHaveCount(3);
  });

  test('rsync to a node of the inventory; a node is required', async ({ page }) => {
    const form = deployForm(page);
    await form.getByText('rsync to a node').click();
    await form.getByLabel('Path on the node').fill('/srv/root');
    await form.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect(form.locator('[data-field="deploy-node"] .field__error')).toHaveText('pick a node');
    await form.getByLabel('Node', { exact: true }).selectOption('rack1-n02');
    await expect(form.getByTestId('deploy-target')).toHaveText('Deploys to ssh-rsync:rack1-n02:/srv/root');
    await form.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect(deployPanel(page)).toHaveAttribute('data-status', 'succeeded', { timeout: 15_000 });
    await expect(step(page, 'target')).toContainText('Copy to the node with rsync');
    await expect(page.getByTestId('deploy-location')).toHaveText('rack1-n02:/srv/root');
  });

  test('cancel asks first, then stops the running step and skips the rest', async ({ page }) => {
    await addExtensions(page, 'slow.configure', 'set-hostname.configure');
    await deployTo(page, '/srv/deploy/slow.tar');
    await expect(step(page, 'extension-1')).toHaveAttribute('data-status', 'running', { timeout: 10_000 });
    await deployPanel(page).getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('heading')).toHaveText('Cancel the deploy of bookworm-compute/root?');
    await expect(dialog.getByRole('button', { name: 'Keep deploying' })).toBeFocused();
    await dialog.getByRole('button', { name: 'Keep deploying' }).click();
    await expect(deployPanel(page)).toHaveAttribute('data-status', 'running');

    await deployPanel(page).getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel deploy' }).click();
    await expect(deployPanel(page)).toHaveAttribute('data-status', 'cancelled');
    // The step the cancel stopped is cancelled (not a red failure), and said by its label.
    await expect(step(page, 'extension-1')).toHaveAttribute('data-status', 'cancelled');
    await expect(step(page, 'extension-1')).toContainText('cancelled by the operator');
    await expect(step(page, 'target')).toContainText('not run: cancelled');
    await expect(step(page, 'target')).toHaveAttribute('data-status', 'skipped');
    await expect(page.locator('.failure')).toContainText('Cancelled during');
    await expect(deployLog(page)).toContainText('released the overlay and image mounts and the temp dir');
  });

  test('the history opens with earlier deploys, and selecting one shows it', async ({ page }) => {
    await expect(deployPanel(page)).toHaveAttribute('data-status', 'failed');
    await expect(page.locator('.failure')).toContainText('Run fail.configure');
    await history(page).locator('tbody tr').nth(1).getByRole('button').click();
    await expect(deployPanel(page)).toHaveAttribute('data-status', 'succeeded');
    await expect(page.getByTestId('deploy-location')).toHaveText('/srv/deploy/compute-base.tar');
    await expect(deployLog(page)).toContainText('useradd --create-home --shell /bin/bash ops');
  });
});
