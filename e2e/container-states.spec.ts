import { expect, test } from './support/fixtures.js';
import { bodyRows, stateChip, nodeFilter, detail, logPanel, count, openContainers } from './support/containers-page.js';

// What a node root holds beside apps/ (tombstones/, cache/, archives/), as the mocked lab seeds it
// (electron/mock/mock-container-lab.ts): the console shows each where an operator looks for it.
test.describe('container states from the node\u2019s directories, against the mocked backend', () => {
  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test.beforeEach(async ({ launch, page, consoleErrors: _watched }) => {
    await openContainers(page, await launch({ mock: true }));
    await expect(count(page)).toHaveText('120 containers');
  });

  test('a placed, an exited and an archived container each say what the node\u2019s directories say', async ({ page }) => {
    await nodeFilter(page).selectOption('rack1-n01');
    const open = async (state: string) => {
      await stateChip(page, state).click();
      const first = bodyRows(page).first();
      const instance = (await first.getAttribute('data-instance'))!;
      await first.locator('[data-col="instance"] button').click();
      await expect(detail(page).getByRole('heading', { level: 2 })).toHaveText(instance);
      await expect(detail(page)).toHaveAttribute('data-state', state);
    };
    // Placed (cache/): no container directory yet, so no unique name, no actions and no log.
    await open('placed');
    await expect(detail(page).locator('[data-col="unique"] dd')).toHaveText('none yet: placed, not configured');
    await expect(detail(page).getByRole('group', { name: 'Container actions' }).getByRole('button')).toHaveCount(0);
    await expect(logPanel(page)).toHaveCount(0);
    // Exited (a tombstone the monitor has not handled): the tombstone's exit, and it can be terminated.
    await open('exited');
    await expect(detail(page).locator('[data-col="summary"] dd')).toHaveText('exited, not yet processed: signal: SIGKILL');
    await expect(detail(page).locator('[data-col="exit"] dd')).toContainText('signal 9 (SIGKILL)');
    await expect(detail(page).getByRole('button', { name: 'Terminate…' })).toBeVisible();
    // Archived: its logs in archives/, its directory removed.
    await open('archived');
    await expect(detail(page).locator('[data-col="summary"] dd')).toHaveText('finished: logs archived, container removed');
    await expect(detail(page).getByRole('group', { name: 'Container actions' }).getByRole('button')).toHaveCount(0);
    // An aborted one shows its reason.
    await open('aborted');
    await expect(detail(page).locator('[data-col="aborted"] dd')).toContainText('image');
  });
});
