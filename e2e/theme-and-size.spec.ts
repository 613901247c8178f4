import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import type { ConsoleServer } from './support/console-server.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot, screenshotDir } from './support/screenshots.js';

/** Every view, the link that opens it, and what shows once its snapshot is in (a state, never a delay). */
const views: readonly { id: string; label: string; heading: string; loaded(page: Page): Locator }[] = [
  { id: 'readiness', label: 'Host readiness', heading: 'Host readiness', loaded: (page) => page.locator('tr[data-tool="losetup"]') },
  { id: 'builds', label: 'Builds', heading: 'Builds', loaded: (page) => page.getByRole('table', { name: 'Build history' }).locator('tbody tr').first() },
  { id: 'nodes', label: 'Nodes', heading: 'Nodes', loaded: (page) => page.getByRole('table', { name: 'Nodes' }).locator('tr[data-node="rack1-n01"]') },
  { id: 'publish', label: 'Publish', heading: 'Publish', loaded: (page) => page.getByRole('table', { name: 'TFTP tree' }).locator('tbody tr').first() },
  { id: 'applications', label: 'Applications', heading: 'Applications', loaded: (page) => page.getByLabel('Application definition (YAML)') },
  { id: 'containers', label: 'Containers', heading: 'Containers', loaded: (page) => page.locator('.ctable__body [role="row"]').first() },
  { id: 'cells', label: 'Cells', heading: 'Cells', loaded: (page) => page.getByRole('table', { name: 'Apps' }).locator('.ctable__body [role="row"]').first() },
];

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const themeGroup = (page: Page) => page.getByRole('group', { name: 'Theme' });

async function open(page: Page, view: (typeof views)[number]): Promise<void> {
  await nav(page).getByRole('link', { name: new RegExp(`^${view.label}`) }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(view.heading);
  await expect(view.loaded(page)).toBeVisible();
}

/** The page's background, as the theme paints it: light or dark by its relative luminance. */
async function paintedTheme(page: Page): Promise<'light' | 'dark'> {
  const colour = await page.locator('html').evaluate((root) => root.ownerDocument.defaultView!.getComputedStyle(root).backgroundColor);
  const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! > 128 ? 'light' : 'dark';
}

async function expectTheme(page: Page, choice: string, painted: 'light' | 'dark'): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-theme', choice);
  await expect(themeGroup(page).getByRole('radio', { name: choice[0]!.toUpperCase() + choice.slice(1) })).toBeChecked();
  await expect.poll(() => paintedTheme(page)).toBe(painted);
}

/** Nothing is wider than the window: no horizontal page scroll. */
async function expectNoPageScroll(page: Page): Promise<void> {
  const size = await page.locator('html').evaluate((root) => ({ scroll: root.scrollWidth, client: root.clientWidth }));
  expect(size.scroll, `page ${size.scroll} px wide in a ${size.client} px window`).toBeLessThanOrEqual(size.client);
}

test.describe('themes and a 1024×700 window, against the mocked backend', () => {
  let server: ConsoleServer;

  test.beforeEach(async ({ launch, consoleErrors: _watched }) => {
    server = await launch({ mock: true });
  });

  test.afterEach(({ consoleErrors }) => {
    // A CSP violation (an inline style from a string) would show here.
    expect(consoleErrors).toEqual([]);
  });

  test.describe('light theme', () => {
    test.use({ colorScheme: 'light' });

    test('follows a light system preference in every view, screenshots each', async ({ page }) => {
      await page.goto(server.url);
      await expectTheme(page, 'system', 'light');
      for (const view of views) {
        await open(page, view);
        await saveScreenshot(page, `light-${view.id}`);
      }
    });

    test('the toggle overrides the system preference and is remembered across a reload', async ({ page }) => {
      await page.goto(server.url);
      await expect(views[0]!.loaded(page)).toBeVisible();
      await expectTheme(page, 'system', 'light');

      await themeGroup(page).getByRole('radio', { name: 'Dark' }).check();
      await expectTheme(page, 'dark', 'dark');
      await page.reload();
      await expect(views[0]!.loaded(page)).toBeVisible();
      await expectTheme(page, 'dark', 'dark');

      // The system turning dark and back changes nothing while a theme is chosen.
      await page.emulateMedia({ colorScheme: 'dark' });
      await themeGroup(page).getByRole('radio', { name: 'Light' }).check();
      await expectTheme(page, 'light', 'light');
      await page.reload();
      await expect(views[0]!.loaded(page)).toBeVisible();
      await expectTheme(page, 'light', 'light');

      // Back to the system's choice: it follows the preference again, live.
      await themeGroup(page).getByRole('radio', { name: 'System' }).check();
      await expectTheme(page, 'system', 'dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await expectTheme(page, 'system', 'light');
      await page.reload();
      await expect(views[0]!.loaded(page)).toBeVisible();
      await expectTheme(page, 'system', 'light');
    });
  });

  test.describe('1024×700', () => {
    test.use({ viewport: { width: 1024, height: 700 }, colorScheme: 'dark' });

    test('every view fits the window: no horizontal page scroll, wide tables scroll in their panel', async ({ page }) => {
      await page.goto(server.url);
      for (const view of views) {
        await open(page, view);
        await expectNoPageScroll(page);
        await saveScreenshot(page, `narrow-${view.id}`);
      }
    });

    test('the readiness table fits whole, no scrolling of its own', async ({ page }) => {
      await page.goto(server.url);
      const table = page.getByRole('table', { name: 'Host tools' });
      await expect(table.locator('tbody tr')).toHaveCount(10);
      const sizes = await table.evaluate((element) => ({ table: element.getBoundingClientRect().width, panel: element.parentElement!.clientWidth }));
      expect(sizes.table).toBeLessThanOrEqual(sizes.panel);
      await expectNoPageScroll(page);
    });

    test('a wide table scrolls inside its panel and keeps its first column in sight', async ({ page }) => {
      await page.goto(server.url);
      await open(page, views.find((view) => view.id === 'containers')!);
      const viewport = page.getByTestId('containers-viewport');
      const scrolls = await viewport.evaluate((element) => element.scrollWidth > element.clientWidth);
      expect(scrolls).toBe(true);
      const firstRow = page.locator('.ctable__body [role="row"]').first();
      const instance = firstRow.locator('[data-col="instance"]');
      const before = await instance.boundingBox();
      await viewport.evaluate((element) => element.scrollTo({ left: element.scrollWidth }));
      await expect.poll(() => viewport.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
      expect(await instance.boundingBox()).toEqual(before);
      await expectNoPageScroll(page);
    });

    test('details and dialogs fit too, and a dialog never covers the rows it acts on', async ({ page }) => {
      await page.goto(server.url);

      await open(page, views.find((view) => view.id === 'builds')!);
      await page.getByRole('table', { name: 'Build history' }).locator('tbody tr').first().locator('.linklike').click();
      await expect(page.locator('section.build')).toBeVisible();
      await expectNoPageScroll(page);

      await open(page, views.find((view) => view.id === 'containers')!);
      await page.locator('.ctable__body [role="row"]').first().click();
      await expect(page.locator('section.cdetail')).toBeVisible();
      await expectNoPageScroll(page);

      await open(page, views.find((view) => view.id === 'nodes')!);
      const nodes = page.getByRole('table', { name: 'Nodes' });
      for (const name of ['rack1-n02', 'rack1-n03']) await nodes.locator(`tr[data-node="${name}"]`).getByLabel(`Select ${name}`).check();
      await page.getByRole('button', { name: 'Remove', exact: true }).click();
      const confirm = page.getByRole('dialog', { name: 'Remove 2 nodes from the inventory?' });
      await expect(confirm.getByRole('button', { name: 'Keep' })).toBeFocused();
      await expectNoPageScroll(page);
      // The view moves beside the dialog: the checked rows stay in sight, not under it.
      const dialogBox = (await confirm.boundingBox())!;
      await expect.poll(async () => (await nodes.boundingBox())!.x).toBeGreaterThanOrEqual(dialogBox.x + dialogBox.width);
      for (const name of ['rack1-n02', 'rack1-n03']) {
        const rowBox = (await nodes.locator(`tr[data-node="${name}"]`).boundingBox())!;
        expect(rowBox.x).toBeGreaterThanOrEqual(dialogBox.x + dialogBox.width);
      }
      // The window as the operator sees it (a whole-page screenshot would draw the fixed dialog at the page's top only).
      await page.screenshot({ path: join(screenshotDir, 'narrow-nodes-remove-dialog.png') });
      await confirm.getByRole('button', { name: 'Keep' }).click();
      await expect(confirm).toBeHidden();
      await expectNoPageScroll(page);
    });
  });

  test('YAML editors never soft-wrap and number their lines, the numbers following the scroll', async ({ page }) => {
    await page.goto(server.url);
    await open(page, views.find((view) => view.id === 'builds')!);
    const editor = page.getByLabel('Image spec (YAML)');
    const gutter = page.locator('.yaml__gutter').first();
    await expect(editor).toHaveAttribute('wrap', 'off');
    await expect(gutter).toHaveAttribute('aria-hidden', 'true');

    const text = `${await editor.inputValue()}\n# ${'a very long comment '.repeat(30)}\n${Array.from({ length: 40 }, (_, n) => `# line ${n}`).join('\n')}`;
    await editor.fill(text);
    const lines = text.split('\n').length;
    await expect(gutter).toHaveAttribute('data-lines', String(lines));
    await expect(gutter).toHaveText(new RegExp(`^1\\n2\\n[\\s\\S]*\\n${lines}$`));

    // The long line scrolls sideways rather than wrapping: one line is one line tall.
    const metrics = await editor.evaluate((element) => ({ width: element.scrollWidth, client: element.clientWidth, height: element.scrollHeight, lineHeight: parseFloat(element.ownerDocument.defaultView!.getComputedStyle(element).lineHeight) }));
    expect(metrics.width).toBeGreaterThan(metrics.client);
    expect(metrics.height).toBeLessThan((lines + 2) * metrics.lineHeight + 40);

    await editor.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await expect.poll(() => editor.evaluate((element) => element.scrollTop)).toBeGreaterThan(0);
    await expect.poll(async () => (await gutter.evaluate((element) => element.scrollTop)) - (await editor.evaluate((element) => element.scrollTop))).toBe(0);
    await saveScreenshot(page, 'yaml-editor-line-numbers');
  });
});
