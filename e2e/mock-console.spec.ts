import type { ConsoleServer } from './support/console-server.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot } from './support/screenshots.js';

const connection = '[aria-label="Backend connection"]';

test.describe('console against the mocked backend', () => {
  let server: ConsoleServer;

  test.beforeEach(async ({ launch }) => {
    server = await launch({ mock: true });
  });

  test('host readiness streams tool by tool, then shows the report', async ({ page }) => {
    await page.goto(server.url);
    await expect(page.locator(connection)).toHaveAttribute('data-state', 'connected');
    await expect(page.locator(connection)).toContainText('mocked backend');
    await page.getByRole('button', { name: 'Check again' }).click();
    const progress = page.getByRole('progressbar', { name: 'Checking host tools' });
    await expect(progress).toBeVisible();
    await expect(progress).toContainText(/Checking host tools… [1-9]\/10/);
    await expect(progress).toBeHidden();
    const rows = page.getByRole('table', { name: 'Host tools' }).locator('tbody tr');
    await expect(rows).toHaveCount(10);
    await expect(page.locator('tr[data-tool="s6-svscan"]')).toContainText('missing (optional)');
    await expect(page.locator('tr[data-tool="debootstrap"]')).toContainText('1.0.128+nmu2+deb12u2');
    await expect(page.getByLabel('Install hint')).toContainText('apt-get install s6');
    await expect(page.getByLabel('Privileges')).toContainText('sudo');
    // The landing page ends with where to go next: this mocked host has built before.
    await page.getByRole('complementary', { name: 'Next step' }).getByRole('button', { name: 'Go to Builds' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Builds');
    await expect(page.getByLabel('Image spec (YAML)')).toHaveValue(/name: bookworm-node/);
  });

  test('navigates every view, keeps the view in the URL, and screenshots each', async ({ page }) => {
    await page.goto(server.url);
    await expect(page.locator('tr[data-tool="losetup"]')).toBeVisible();
    await saveScreenshot(page, 'readiness-mock');
    for (const [label, id] of [['Builds', 'builds'], ['Nodes', 'nodes'], ['Applications', 'applications'], ['Containers', 'containers'], ['Cells', 'cells'], ['Publish', 'publish']] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${label}`) }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(label);
      // The view, and what it selected by itself (the newest build, run…), if anything.
      await expect(page).toHaveURL(new RegExp(`#/${id}(/[^/]+)?$`));
      await saveScreenshot(page, `view-${id}`);
    }
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Publish');
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cells');
  });

  test('shows a lost backend and reconnects when it comes back', async ({ page }) => {
    await page.goto(server.url);
    await expect(page.locator(connection)).toHaveAttribute('data-state', 'connected');
    await expect(page.locator('tr[data-tool="losetup"]')).toBeVisible();
    await server.kill();
    await expect(page.locator(connection)).toHaveAttribute('data-state', 'reconnecting');
    await expect(page.locator(connection)).toContainText('Backend lost');
    // The views grey out behind a banner saying since when, and take no input until the backend is back.
    await expect(page.getByTestId('backend-lost')).toHaveText(/Backend lost at \d\d:\d\d:\d\d — reconnecting…/);
    await expect(page.locator('.main__views')).toHaveAttribute('inert', '');
    await saveScreenshot(page, 'backend-lost');
    await server.start();
    await expect(page.locator(connection)).toHaveAttribute('data-state', 'connected', { timeout: 15_000 });
    await expect(page.getByTestId('backend-lost')).toHaveCount(0);
    await expect(page.locator('.main__views')).not.toHaveAttribute('inert');
    // The new backend's snapshot is loaded again after the reconnect.
    await expect(page.locator('tr[data-tool="losetup"]')).toBeVisible();
  });

  test('says so when the restarted backend no longer accepts the page', async ({ page }) => {
    await page.goto(server.url);
    await expect(page.locator(connection)).toHaveAttribute('data-state', 'connected');
    await server.kill();
    await server.start({ token: 'a-different-token-after-restart' });
    await expect(page.locator(connection)).toHaveAttribute('data-state', 'refused', { timeout: 15_000 });
    await expect(page.locator(connection)).toContainText('new token');
  });

  test('refuses the console without its token, and a WebSocket from a foreign origin', async ({ page, request }) => {
    const bare = await request.get(`http://127.0.0.1:${server.port}/`);
    expect(bare.status()).toBe(401);
    expect(await bare.text()).toContain('needs its token');

    // A page of another origin (localhost is another origin than 127.0.0.1) holding the token still cannot open the socket.
    await page.goto(`http://localhost:${server.port}/`);
    const outcome = await page.evaluate(
      ({ port, token }) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws?token=${token}`);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      { port: server.port, token: server.token },
    );
    expect(outcome).toBe('refused');
  });

  test('serves the page under the strict CSP', async ({ page }) => {
    const response = await page.goto(server.url);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect(page.locator(connection)).toHaveAttribute('data-state', 'connected');
  });
});

test.describe('console against a failing mocked backend', () => {
  test('shows the error state of a failed readiness check, with a retry', async ({ page, launch }) => {
    const server = await launch({ mock: true, scenario: 'readiness-error' });
    await page.goto(server.url);
    // The check that ran at start failed: the page says so at once, whether it connected before or after.
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('The readiness check failed');
    await expect(alert).toContainText('probe of debootstrap timed out');
    await expect(page.getByText('Waiting for the first check…')).toHaveCount(0);
    await saveScreenshot(page, 'readiness-error');
    await alert.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByRole('progressbar')).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('timed out');
  });
});
