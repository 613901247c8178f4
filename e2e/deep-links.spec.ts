import { expect, test } from './support/fixtures.js';
import { appFilter, bodyRows, detail, nodeFilter, openContainers, rowOf } from './support/containers-page.js';

// The URL names the view and its selection: a reload or a pasted link lands on the same thing; back/forward step through.

test.describe('deep links, against the mocked backend', () => {
  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test('a selected build is in the URL: reload lands on it, back and forward step through selections', async ({ launch, page, consoleErrors: _watched }) => {
    const server = await launch({ mock: true });
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Builds' }).click();
    const history = page.getByRole('table', { name: 'Build history' });
    const panel = page.locator('section.build');
    await expect(history.locator('tbody tr')).toHaveCount(2);

    await history.getByRole('button', { name: 'bookworm-compute' }).click();
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText('bookworm-compute');
    const compute = (await panel.getAttribute('data-build'))!;
    await expect(page).toHaveURL(new RegExp(`#/builds/${compute}$`));

    await history.getByRole('button', { name: 'bookworm-gpu' }).click();
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText('bookworm-gpu');
    const gpu = (await panel.getAttribute('data-build'))!;
    await expect(page).toHaveURL(new RegExp(`#/builds/${gpu}$`));

    await page.goBack();
    await expect(panel).toHaveAttribute('data-build', compute);
    await page.goForward();
    await expect(panel).toHaveAttribute('data-build', gpu);

    // A link opened fresh (another operator's paste): the same build, not the view's default.
    const link = `${server.url.replace(/#.*$/, '')}#/builds/${compute}`;
    await page.goto('about:blank');
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Builds');
    await expect(panel).toHaveAttribute('data-build', compute);
    await page.reload();
    await expect(panel).toHaveAttribute('data-build', compute);
  });

  test('a selected container is in the URL, and a reload shows its detail again', async ({ launch, page, consoleErrors: _watched }) => {
    const server = await launch({ mock: true });
    await openContainers(page, server);
    await nodeFilter(page).selectOption('rack1-n01');
    const instance = (await bodyRows(page).first().getAttribute('data-instance'))!;
    await appFilter(page).fill(instance);
    await rowOf(page, instance).locator('[data-col="instance"] button').click();
    await expect(detail(page).getByRole('heading', { level: 2 })).toHaveText(instance);
    await expect(page).toHaveURL(new RegExp(`#/containers/rack1-n01/${encodeURIComponent(instance).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    await page.reload();
    await expect(detail(page).getByRole('heading', { level: 2 })).toHaveText(instance);
  });
});
