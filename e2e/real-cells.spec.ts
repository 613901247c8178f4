import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCell } from '../electron/cells/test-support/cell-writer.js';
import { ZkTestServer, zookeeperMissing } from '../electron/cells/test-support/zk-server.js';
import { expect, test } from './support/fixtures.js';
import { appCount, appDetail, appRow, cellPicker, openCells, serverRows, stateChip, tab, timeline } from './support/cells-page.js';
import { saveScreenshot } from './support/screenshots.js';

// The Cells view once end to end: the real backend reading a real ZooKeeper 3.8 (Debian's `zookeeper`), which a
// fixture writes as Treadmill's master, node presence and trace publisher write it (cell-writer.ts).
const missing = zookeeperMissing();
/** A state the backend must see in ZooKeeper and send: a limit, not a wait. */
const live = { timeout: 30_000 };

test('a cell added by its ZooKeeper URL shows its servers and apps, follows an app through its life, and says when it goes stale (real backend)', async ({ page, launch, consoleErrors }) => {
  test.skip(missing !== null, missing ?? '');
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'slipway-real-cells-'));
  const releases: (() => unknown)[] = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const zk = await ZkTestServer.start({ minSessionTimeoutMs: 1000 });
    releases.push(() => zk.destroy());
    const fake = await FakeCell.connect(`${zk.connection}/treadmill/lab`);
    releases.push(() => fake.close());
    await fake.create_rootns();
    for (const host of ['n1.lab', 'n2.lab']) {
      await fake.server(host, { cpu: '400%', disk: '20G', memory: '8G', partition: '_default', traits: [] });
      await fake.register_server(host);
      await fake.record_server_state(host, 'up', 1_700_000_000);
    }
    const early = await fake.schedule('proid.early', { memory: '100M' });

    const server = await launch({ env: { SLIPWAY_CELLS: join(dir, 'cells.yaml') } });
    await openCells(page, server);
    await expect(page.getByTestId('cells-empty')).toBeVisible();
    await page.getByTestId('cells-empty').getByRole('button', { name: 'Add a cell' }).click();
    const form = page.getByRole('form', { name: 'Add a cell' });
    await form.getByRole('textbox', { name: 'Name' }).fill('lab');
    await form.getByRole('textbox', { name: 'ZooKeeper URL' }).fill(zk.url('/treadmill/lab'));
    await form.getByRole('button', { name: 'Add the cell' }).click();
    await expect(cellPicker(page)).toHaveValue('lab');
    await expect(appCount(page)).toHaveText('1 apps', live);
    await expect(appRow(page, early)).toHaveAttribute('data-state', 'pending');

    // An app through its life, each step as Treadmill writes it: the row and the counts follow, no reload.
    const app = await fake.schedule('proid.web', { memory: '100M' });
    await expect(appRow(page, app)).toHaveAttribute('data-state', 'pending', live);
    await fake.place('n1.lab', app);
    await expect(appRow(page, app)).toHaveAttribute('data-state', 'placed', live);
    await appRow(page, app).click();
    await fake.publish(app, '1700000100.0', 'n1.lab', 'service_running', 'unique1.web');
    await fake.register_running(app, 'n1.lab');
    await expect(appRow(page, app)).toHaveAttribute('data-state', 'running', live);
    await expect(stateChip(page, 'running').locator('.cstates__n')).toHaveText('1');
    await fake.publish(app, '1700000160.5', 'n1.lab', 'finished', '0.0');
    await fake.unregister_running(app, 'n1.lab');
    await expect(appRow(page, app)).toHaveAttribute('data-state', 'finished', live);
    await expect(appRow(page, app).locator('[data-col="exit"]')).toHaveText('rc 0');
    await expect(timeline(page).locator('li')).toHaveCount(2, live);
    await expect(timeline(page).locator('li').last()).toHaveAttribute('data-type', 'finished');
    await expect(appDetail(page).locator('[data-col="server"]')).toContainText('n1.lab');
    await saveScreenshot(page, 'cells-real');

    await tab(page, /^Servers/).click();
    await expect(serverRows(page)).toHaveCount(2);
    // The node's session ends: its presence node goes with it, and the server reads down.
    fake.nodeDown('n2.lab');
    await expect(serverRows(page).filter({ hasText: 'n2.lab' }).locator('[data-col="state"]')).toContainText(/down|no presence/, live);

    // ZooKeeper goes away: the rows stay, marked stale with the time of the last good read; back, they are live again.
    await zk.stop();
    await expect(page.locator('[data-callout="stale"]')).toContainText('Stale: these rows are as read at', live);
    await expect(serverRows(page)).toHaveCount(2);
    await zk.restart();
    await expect(page.locator('[data-callout="stale"]')).toBeHidden({ timeout: 60_000 });
    expect(consoleErrors).toEqual([]);
  } finally {
    for (const release of releases.reverse()) await release();
  }
});
