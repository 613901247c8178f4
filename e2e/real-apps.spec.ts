import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helloApp } from '../electron/apps/test-support/app-harness.js';
import { saveInventory } from '../electron/nodes/inventory-file.js';
import { startFleet } from '../electron/nodes/test-support/sshd-fleet.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot } from './support/screenshots.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd') && existsSync('/usr/bin/cc');

/** A state the nodes must reach: seconds here, minutes on a loaded 2-core machine; a limit, not a wait. */
const nodeWork = { timeout: 120_000 };

test('a C application on 5 real sshd nodes from the Applications view (real backend, root)', async ({ page, launch, consoleErrors }) => {
  test.skip(!canRun, 'needs root, sshd and a C compiler');
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'slipway-ui-apps-'));
  chmodSync(dir, 0o755);
  const fleet = await startFleet({ count: 5, dir: join(dir, 'fleet'), firstOctet: 180, port: 2286, user: 'slipway-test', slowLogin: 0.5 });
  try {
    const names = fleet.nodes.map((n) => n.name);
    saveInventory(join(dir, 'nodes.yaml'), fleet.nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: ['ui-apps'] })));
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
    const server = await launch({
      env: {
        SLIPWAY_INVENTORY: join(dir, 'nodes.yaml'),
        SLIPWAY_KNOWN_HOSTS: join(dir, 'known_hosts'),
        SLIPWAY_STATE_DIR: join(dir, 'state'),
        XDG_CONFIG_HOME: join(dir, 'config'),
        SLIPWAY_APP_POLL_MS: '500',
      },
    });
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
    const editor = page.getByLabel('Application definition (YAML)');
    // The view opens a definition once its saved ones are read: a fill before that lands beside it (CI25, loaded machine).
    await expect(editor).not.toHaveValue('', nodeWork);
    await editor.fill(helloApp({ labels: ['ui-apps'], env: { TICKS: '10', EXIT_CODE: '0' } }));
    const deploy = page.getByRole('button', { name: 'Deploy to 5 nodes' });
    await expect(deploy).toBeEnabled(nodeWork);
    await deploy.click();

    const matrix = page.getByRole('table', { name: 'Node phases' });
    // The state in words for the operator; the enum in data-status.
    for (const name of names) await expect(matrix.locator(`tr[data-node="${name}"]`)).toHaveAttribute('data-status', 'FINISHED', nodeWork);
    await expect(matrix.locator('tr[data-node] span.badge[data-status="FINISHED"]').first()).toHaveText('finished');
    // Built on one node, received by the four others.
    const buildCells = matrix.locator('td[data-phase="build"]');
    await expect(buildCells.filter({ hasText: 'built here' })).toHaveCount(1);
    await expect(buildCells.filter({ hasText: /from node00\d/ })).toHaveCount(4);
    await expect(page.getByRole('list', { name: 'Build tree' })).toContainText(/node00\d → node00\d, node00\d/);

    // Every node's stdout is in the trace view.
    const traces = page.getByRole('region', { name: 'Application traces' });
    for (const name of names) {
      await page.getByRole('group', { name: 'Show the traces of' }).getByRole('button', { name, exact: true }).click();
      await expect(traces).toContainText('tick 9');
    }
    await page.getByRole('group', { name: 'Show the traces of' }).getByRole('button', { name: 'All nodes' }).click();
    await page.evaluate('window.scrollTo(0, 0)');
    await saveScreenshot(page, 'apps-real');
    expect(consoleErrors).toEqual([]);
  } finally {
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
