import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot } from './support/screenshots.js';

const canBuild = process.getuid?.() === 0 && existsSync('/usr/sbin/debootstrap');
// The same workspace as the build integration tests: the base tarball is fetched once per run.
const workspace = process.env.SLIPWAY_TEST_WORKSPACE ?? join(tmpdir(), 'slipway-test-workspace');

test('a real build from the Builds view (real backend, root, debootstrap)', async ({ page, launch }) => {
  test.skip(!canBuild, 'needs root and debootstrap');
  test.setTimeout(600_000);
  const out = mkdtempSync(join(tmpdir(), 'slipway-ui-build-'));
  try {
    const server = await launch({ env: { SLIPWAY_WORKSPACE: workspace, SLIPWAY_STATE_DIR: mkdtempSync(join(tmpdir(), 'slipway-state-')) } });
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Builds' }).click();
    const editor = page.getByLabel('Image spec (YAML)');
    await expect(editor).toHaveValue(/name: /);
    await editor.fill(
      stringify({
        name: 'ui-real',
        suite: 'bookworm',
        packages: ['hello'],
        images: [{ name: 'root', size: '1G', mountPoint: '/', label: 'root' }],
        postInstall: { hostname: 'ui-real' },
        output: { dir: out, container: 'gzip' },
      }),
    );
    await expect(page.getByText('Valid spec.')).toBeVisible();
    await page.getByRole('button', { name: 'Build', exact: true }).click();

    const panel = page.locator('section.build');
    await expect(panel.locator('[data-step="debootstrap"]')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
    // Enough of debootstrap's log to show in the screenshot: a state, not a time.
    await expect.poll(async () => Number(/(\d[\d,]*) lines/.exec((await page.getByTestId('log-count').textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0), { timeout: 60_000 }).toBeGreaterThanOrEqual(20);
    await page.evaluate('window.scrollTo(0, 0)');
    await saveScreenshot(page, 'builds-real-running');

    await expect(panel.locator('[data-step="publish"]')).toHaveAttribute('data-status', 'done', { timeout: 540_000 });
    await expect(panel).toContainText('succeeded');
    await expect(panel).toContainText('ui-real.root.img.gz');
    await saveScreenshot(page, 'builds-real-succeeded');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
