import { expect, test } from './support/fixtures.js';
import { detail, openDetail, openNodes, putOffPrompts } from './support/nodes-page.js';
import { saveScreenshot } from './support/screenshots.js';

// Build hosts in the mocked lab (electron/mock/mock-node-fleet.ts, mock-readiness.ts): rack1-n03 is ready,
// rack2-n02 lacks debootstrap, rack3-n07 refuses connections; the other nodes are not build hosts.
test.describe('build hosts in the Nodes view, against the mocked backend', () => {
  test.beforeEach(async ({ launch, page, consoleErrors: _watched }) => {
    const server = await launch({ mock: true });
    await openNodes(page, server);
  });

  test.afterEach(({ consoleErrors }) => {
    expect(consoleErrors).toEqual([]);
  });

  test('a build host’s detail says whether builds can run there, what is missing with its package, and why a probe failed', async ({ page }) => {
    await putOffPrompts(page);
    const readiness = () => detail(page).getByRole('region', { name: 'Build host readiness' });
    // rack1-n03, rack2-n02 and rack3-n07 are labelled build-host in the mocked lab.
    await openDetail(page, 'rack1-n03');
    await expect(readiness().locator('header .badge')).toHaveText('ready to build');
    await expect(readiness()).toContainText('root (root)');
    await readiness().getByText('All tools on rack1-n03').click();
    await expect(readiness().getByRole('table', { name: 'Tools on rack1-n03' }).locator('tbody tr')).toHaveCount(10);

    await openDetail(page, 'rack2-n02');
    await expect(readiness().locator('header .badge')).toHaveText('not ready');
    await expect(readiness().getByRole('list', { name: 'Missing tools' })).toHaveText('debootstrap is missing: apt-get install debootstrap on rack2-n02 (install a Debian base system)');
    await expect(readiness()).toContainText('apt-get install debootstrap s6');

    // A build host that does not answer: the probe's error, and a way to try again.
    await openDetail(page, 'rack3-n07');
    await expect(readiness().getByRole('alert')).toContainText('ECONNREFUSED');
    await readiness().getByRole('button', { name: 'Check again' }).click();
    await expect(readiness().getByRole('button', { name: 'Check again' })).toBeEnabled();
    await expect(readiness().getByRole('alert')).toContainText('ECONNREFUSED');
    await saveScreenshot(page, 'nodes-build-host');

    // A node that is not a build host has no such section.
    await openDetail(page, 'rack1-n01');
    await expect(detail(page).getByRole('region', { name: 'Build host readiness' })).toHaveCount(0);
  });
});
