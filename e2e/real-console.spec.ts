import { spawnSync } from 'node:child_process';
import { expect, test } from './support/fixtures.js';
import { shellLookup } from './support/host-lookup.js';
import { saveScreenshot } from './support/screenshots.js';

const tools = ['losetup', 'mount', 'mkfs.ext4', 'resize2fs', 'debootstrap', 'chroot', 'gzip', 'ssh', 's6-svscan'];

test('host readiness shows this machine’s real tools (real backend)', async ({ page, launch }) => {
  const server = await launch();
  await page.goto(server.url);
  await expect(page.locator('[aria-label="Backend connection"]')).toHaveAttribute('data-state', 'connected');
  await expect(page.locator('[aria-label="Backend connection"]')).not.toContainText('mocked');
  for (const name of tools) {
    const row = page.locator(`tr[data-tool="${name}"]`);
    const path = shellLookup(name);
    await expect(row, name).toHaveAttribute('data-found', String(path !== null));
    if (path) await expect(row).toContainText('found');
  }
  const losetup = spawnSync('losetup', ['--version'], { encoding: 'utf8' }).stdout;
  const version = /(\d+\.\d+(\.\d+)?)/.exec(losetup)?.[1];
  if (version) await expect(page.locator('tr[data-tool="losetup"]')).toContainText(version);
  const uid = process.getuid?.() ?? -1;
  await expect(page.getByLabel('Privileges')).toContainText(`uid ${uid}`);
  await saveScreenshot(page, 'readiness-real');
});
