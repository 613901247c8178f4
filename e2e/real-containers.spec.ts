import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { stringify } from 'yaml';
import { makeService, testSpec } from '../electron/builds/test-support/build-harness.js';
import { saveInventory } from '../electron/nodes/inventory-file.js';
import { startFleet, type Fleet } from '../electron/nodes/test-support/sshd-fleet.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot } from './support/screenshots.js';

/**
 * A state the node must reach (a scan, an s6 start, a finish): seconds here, minutes on a loaded 2-core
 * machine. A limit, not a wait: the expectation ends as soon as the state shows.
 */
const nodeWork = { timeout: 120_000 };

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd') && existsSync('/usr/sbin/debootstrap') && existsSync('/usr/bin/s6-svscan');

const panel = (page: Page) => page.getByRole('region', { name: 'Configure a container' });
const detail = (page: Page) => page.locator('section.cdetail');
const action = (page: Page, name: string) => detail(page).getByRole('group', { name: 'Container actions' }).getByRole('button', { name });
const timeline = (page: Page) => page.getByRole('list', { name: 'Event timeline' });
const dialog = (page: Page) => page.getByRole('dialog');
const log = (page: Page) => page.getByRole('log', { name: 'Container log' });

/** Configures the manifest on node001 from the panel; the new instance, shown in the detail. */
async function configure(page: Page, manifest: string): Promise<string> {
  await page.getByRole('textbox', { name: 'Container manifest (YAML)' }).fill(manifest);
  await expect(panel(page).getByText('Valid manifest.')).toBeVisible();
  await panel(page).getByRole('button', { name: 'Configure on node001' }).click();
  const made = panel(page).getByTestId('configured');
  await expect(made).toHaveText(/^Configured root\.\w+#\d{10} on node001/, nodeWork);
  const instance = /(root\.\w+#\d{10})/.exec((await made.textContent())!)![1]!;
  await expect(detail(page).getByRole('heading', { level: 2 })).toHaveText(instance);
  await expect(detail(page)).toHaveAttribute('data-state', 'configured', nodeWork);
  return instance;
}

async function confirm(page: Page, name: 'Terminate…' | 'Remove…'): Promise<void> {
  await action(page, name).click();
  await dialog(page).getByRole('button', { name: name.replace('…', ''), exact: true }).click();
  await expect(dialog(page)).toHaveCount(0);
}

async function start(page: Page): Promise<void> {
  await action(page, 'Start').click();
  await expect(detail(page)).not.toHaveAttribute('data-state', 'configured', nodeWork);
}

test('containers configured, started, ended and terminated from the Containers view on a real sshd node under s6 (real backend, root)', async ({ page, launch, consoleErrors }) => {
  test.skip(!canRun, 'needs root, sshd, debootstrap and s6-svscan');
  test.setTimeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'slipway-ui-containers-'));
  chmodSync(dir, 0o755);
  const root = join(dir, 'treadmill');
  // The build integration tests' workspace: the base tarball is cached there.
  const { service: builds, helpers } = makeService();
  let fleet: Fleet | null = null;
  try {
    // A Slipway build kept raw: the containers' read-only lower layer.
    const build = await builds.start(testSpec(join(dir, 'images'), { name: 'ui-containers', output: { dir: join(dir, 'images'), container: 'raw' } })).done;
    expect(build.error).toBeNull();
    const image = build.artifacts[0]!.path;
    fleet = await startFleet({ count: 1, dir: join(dir, 'fleet'), firstOctet: 190, port: 2284, user: 'root', slowLogin: 0.5 });
    const [node] = fleet.nodes;
    saveInventory(join(dir, 'nodes.yaml'), [{ name: node!.name, host: node!.host, port: node!.port, user: 'root', identity: fleet.clientKey, jump: null, labels: [`treadmill=${root}`] }]);
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
    const manifest = (name: string, command: string, memory = '64M') =>
      stringify({ name, proid: 'root', environment: 'dev', cpu: '100%', memory, disk: '1G', image, services: [{ name: 'web_server', command }] });

    const server = await launch({
      env: {
        SLIPWAY_INVENTORY: join(dir, 'nodes.yaml'),
        SLIPWAY_KNOWN_HOSTS: join(dir, 'known_hosts'),
        SLIPWAY_STATE_DIR: join(dir, 'state'),
        SLIPWAY_CONTAINER_POLL_MS: '1000',
        XDG_CONFIG_HOME: join(dir, 'config'),
      },
    });
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Containers' }).click();
    await page.getByRole('button', { name: 'Configure a container' }).click(nodeWork);
    await expect(panel(page).getByRole('combobox', { name: 'Configure on' })).toHaveValue('node001');

    // Its service prints and exits 3.
    const rc = await configure(page, manifest('rc', 'cat /etc/slipway-test; echo "pid $$"; exit 3'));
    await start(page);
    await expect(detail(page)).toHaveAttribute('data-state', 'finished', nodeWork);
    await expect(detail(page).locator('[data-col="summary"] dd')).toHaveText('return code: 3');
    await expect(timeline(page).locator('.ctimeline__text')).toHaveText([/^configured [A-Z2-7]{13}$/, 'service web_server running', 'service web_server exited: return code: 3', 'finished: return code: 3'], nodeWork);
    // What it printed, read from its s6-log through the Log panel: /etc/slipway-test of the image (the build writes "ok"), then its pid.
    await expect(detail(page).locator('section.clog')).toHaveAttribute('data-instance', rc);
    await expect.poll(async () => (await log(page).locator('.clog__text').allTextContents()).join('\n'), nodeWork).toMatch(/(^|\n)ok\npid \d+$/);
    const okLine = log(page).locator('.clog__line').filter({ has: page.locator('.clog__text', { hasText: /^ok$/ }) });
    await expect(okLine.locator('time')).toHaveText(/^\d{2}:\d{2}:\d{2}$/);
    // s6-log's TAI64N stamp, read as UTC: within seconds of the service's start in the timeline (not 37 s off).
    const printedAt = Date.parse((await okLine.locator('time').getAttribute('datetime'))!);
    const runningAt = Date.parse((await timeline(page).locator('li', { hasText: 'service web_server running' }).locator('time').getAttribute('datetime'))!);
    expect(Math.abs(printedAt - runningAt)).toBeLessThan(5_000);

    // Over its memory cgroup's limit.
    const hog = await configure(page, manifest('hog', 'head -c 400000000 /dev/zero | tail', '32M'));
    await start(page);
    await expect(detail(page)).toHaveAttribute('data-state', 'killed', nodeWork);
    await expect(detail(page).locator('[data-col="summary"] dd')).toHaveText('out of memory');
    await expect(timeline(page).locator('li').last()).toHaveText(/killed, out of memory$/, nodeWork);

    // A server, until it is terminated.
    const sleeper = await configure(page, manifest('sleeper', 'exec sleep 1000'));
    await start(page);
    await expect(detail(page)).toHaveAttribute('data-state', 'running', nodeWork);
    await expect(timeline(page).locator('li').last()).toHaveText(/service web_server running$/, nodeWork);
    // A shell inside it, in a terminal tab named for it: the image's file, arithmetic.
    await detail(page).getByRole('button', { name: 'Shell', exact: true }).click();
    const shellTitle = `${sleeper}@node001`;
    const terminals = page.getByRole('region', { name: 'Terminals' });
    const shell = terminals.locator(`[role="tabpanel"][aria-label="Terminal on ${shellTitle}"]`);
    await expect(shell).toHaveAttribute('data-terminal-state', 'open', nodeWork);
    await shell.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('cat /etc/slipway-test; echo $((6*7))');
    await page.keyboard.press('Enter');
    await expect(shell.locator('.xterm-rows > div').filter({ hasText: /^ok\s*$/ })).toHaveCount(1, nodeWork);
    await expect(shell.locator('.xterm-rows > div').filter({ hasText: /^42\s*$/ })).toHaveCount(1);
    await action(page, 'Terminate…').click();
    await expect(dialog(page).getByRole('heading')).toHaveText(`Terminate ${sleeper}?`);
    await expect(dialog(page).getByRole('button', { name: 'Keep it' })).toBeFocused();
    await dialog(page).getByRole('button', { name: 'Terminate' }).click();
    await expect(detail(page)).toHaveAttribute('data-state', 'terminated', nodeWork);
    await expect(detail(page).locator('[data-col="state"] dd')).toHaveText('terminatedcleanup pending');
    // Its shell ended with it (what was left in its pid namespace is killed), and the tab says so; then it goes.
    await expect(shell.getByRole('status')).toHaveText('closed: killed by SIGKILL', nodeWork);
    await terminals.getByRole('button', { name: `Remove the terminal tab of ${shellTitle}` }).click();
    await expect(terminals).toHaveCount(0);
    await expect(page.locator('.ctable__body [role="row"]')).toHaveCount(3, nodeWork);
    await page.evaluate('window.scrollTo(0, 0)');
    await saveScreenshot(page, 'containers-real');

    // Removed once terminated; one whose service ended on its own keeps its running/ link, and the node refuses.
    await confirm(page, 'Remove…');
    await expect(detail(page)).toHaveAttribute('data-state', 'gone', nodeWork);
    await expect(page.locator('.ctable__body [role="row"]')).toHaveCount(2, nodeWork);
    await page.locator(`.ctable__body [role="row"][data-instance="${rc}"] [data-col="instance"] button`).click();
    await confirm(page, 'Remove…');
    await expect(detail(page).getByTestId('action-refused'), 'the node refuses').toContainText(/Remove refused: remove root\.rc#\d{10}: root\.rc-\d{10}-[A-Z2-7]{13} is still in running\/: terminate it first/);
    // A killed one is terminated first, then removed (its state stays: out of memory comes before terminated).
    await page.locator(`.ctable__body [role="row"][data-instance="${hog}"] [data-col="instance"] button`).click();
    await confirm(page, 'Terminate…');
    await expect(action(page, 'Terminate…')).toBeEnabled(nodeWork);
    await expect(detail(page)).toHaveAttribute('data-state', 'killed', nodeWork);
    await confirm(page, 'Remove…');
    await expect(detail(page)).toHaveAttribute('data-state', 'gone', nodeWork);
    await expect(page.locator('.ctable__body [role="row"]')).toHaveCount(1, nodeWork);
    expect(consoleErrors).toEqual([]);
  } finally {
    // The node's supervision tree goes with the test.
    spawnSync('s6-svscanctl', ['-t', join(root, 'running')]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await fleet?.stop();
    await helpers.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
