import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot } from './support/screenshots.js';

const canBuild = process.getuid?.() === 0 && existsSync('/usr/sbin/debootstrap');
// The same workspace as the build integration tests: the base tarball is fetched once per run.
const workspace = process.env.SLIPWAY_TEST_WORKSPACE ?? join(tmpdir(), 'slipway-test-workspace');

test('a real build from the Builds view, then its boot test in QEMU (real backend, root, debootstrap, QEMU)', async ({ page, launch }) => {
  test.skip(!canBuild, 'needs root and debootstrap');
  test.setTimeout(1_500_000);
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
        // A kernel and an init, so its boot test reaches a login prompt.
        packages: ['hello', 'linux-image-amd64', 'systemd-sysv'],
        // A label of its own: no base image an earlier run left in the shared test workspace fits, so the
        // bootstrap runs and can be watched running.
        images: [{ name: 'root', size: '2G', mountPoint: '/', label: `ui${Date.now().toString(36).slice(-6)}` }],
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

    await expect(panel.locator('[data-step="publish"]')).toHaveAttribute('data-status', 'done', { timeout: 900_000 });
    await expect(panel).toContainText('succeeded');
    await expect(panel).toContainText('ui-real.root.img.gz');
    await saveScreenshot(page, 'builds-real-succeeded');

    // The boot test: the image's own kernel in QEMU (TCG here), its serial console streaming into the view.
    const boot = page.locator('section.boot-test');
    await boot.getByRole('button', { name: 'Boot test', exact: true }).click();
    const serial = page.getByRole('region', { name: 'Serial console', exact: true });
    await expect(boot).toHaveAttribute('data-status', 'running');
    // The kernel's lines stream in while it runs (the viewer follows the tail, so a count, not an early line, is the state).
    await expect.poll(async () => Number(/(\d[\d,]*) lines/.exec((await boot.getByTestId('log-count').textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0), { timeout: 300_000 }).toBeGreaterThanOrEqual(50);
    await saveScreenshot(page, 'builds-real-boot-test');
    await expect(boot).toHaveAttribute('data-status', 'succeeded', { timeout: 600_000 });
    await expect(boot.getByTestId('boot-outcome')).toHaveText(/^booted: reached "login:" in /);
    await expect(serial).toContainText('ui-real login:');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
