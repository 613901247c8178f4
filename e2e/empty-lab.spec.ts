import { expect, test } from './support/fixtures.js';

// A lab with no node yet (the mocked `empty-inventory` scenario): what a new operator meets first.
test.describe('an empty lab against the mocked backend', () => {
  test('empty states say what is missing and lead to where it is made; a missing ~/.ssh/config is one line', async ({ launch, page, consoleErrors }) => {
    const server = await launch({ mock: true, scenario: 'empty-inventory' });
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Nodes/ }).click();
    const empty = page.getByTestId('nodes-empty');
    await expect(empty).toContainText('No node in the inventory');

    await empty.getByRole('button', { name: 'Import from ~/.ssh/config' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import from ~/.ssh/config' });
    await expect(dialog.getByRole('alert')).toHaveText('no file at /home/operator/.ssh/config');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);

    // Applications need nodes: their empty target list links to the Nodes view, where one is added.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Applications/ }).click();
    const targets = page.getByTestId('app-targets-empty');
    await expect(targets).toContainText('No node in the inventory');
    await targets.getByRole('link', { name: 'Add a node in Nodes' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nodes');
    await expect(page).toHaveURL(/#\/nodes$/);
    await page.getByTestId('nodes-empty').getByRole('button', { name: 'Add a node' }).click();
    await expect(page.getByRole('dialog', { name: 'Add a node' })).toBeVisible();
    // Back returns to the view the link was followed from.
    await page.keyboard.press('Escape');
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Applications');
    expect(consoleErrors).toEqual([]);
  });
});
