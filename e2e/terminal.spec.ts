import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { saveInventory } from '../electron/nodes/inventory-file.js';
import { startFleet, type Fleet } from '../electron/nodes/test-support/sshd-fleet.js';
import { expect, test } from './support/fixtures.js';
import { saveScreenshot } from './support/screenshots.js';

const nodesLink = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Nodes/ });
const row = (page: Page, name: string) => page.getByRole('table', { name: 'Nodes' }).locator(`tr[data-node="${name}"]`);
const detail = (page: Page) => page.locator('section.node');
const dock = (page: Page) => page.getByRole('region', { name: 'Terminals' });
const tab = (page: Page, name: RegExp | string) => dock(page).getByRole('tab', { name });
/** A tab's panel, shown or not (a tab that is not the active one keeps its screen, hidden). */
const panel = (page: Page, node: string) => dock(page).locator(`[role="tabpanel"][aria-label="Terminal on ${node}"]`);
/** A screen row whose whole text is `text` (xterm's DOM renderer: one element per row). */
const screenRow = (page: Page, node: string, text: RegExp) => panel(page, node).locator('.xterm-rows > div').filter({ hasText: text });

async function openTerminal(page: Page, node: string): Promise<void> {
  await row(page, node).getByRole('button', { name: node, exact: true }).click();
  await expect(detail(page)).toHaveAttribute('data-node', node);
  await detail(page).getByRole('button', { name: 'Terminal' }).click();
  await expect(panel(page, node)).toHaveAttribute('data-terminal-state', 'open');
}

/** Types into the focused terminal as an operator does (xterm's hidden textarea takes the keys). */
async function type(page: Page, node: string, text: string): Promise<void> {
  await panel(page, node).locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** The mocked lab greets a fresh Nodes view with a host-key prompt, then a passphrase prompt: both put off. */
async function openMockedNodes(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await nodesLink(page).click();
  await page.getByRole('dialog', { name: 'Unknown host key' }).getByRole('button', { name: 'Later' }).click();
  await page.getByRole('dialog', { name: 'Key passphrase needed' }).getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
}

test.describe('terminals against the mocked backend', () => {
  test('opens tabs on nodes, evaluates a command, survives a view switch, and keeps a closed session readable', async ({ page, launch, consoleErrors }) => {
    const server = await launch({ mock: true });
    await openMockedNodes(page, server.url);
    await expect(row(page, 'rack1-n01')).toHaveAttribute('data-state', 'reachable');

    await openTerminal(page, 'rack1-n01');
    await expect(screenRow(page, 'rack1-n01', /Mocked shell on rack1-n01/)).toHaveCount(1);
    await type(page, 'rack1-n01', 'echo $((6*7))');
    await expect(screenRow(page, 'rack1-n01', /^42\s*$/)).toHaveCount(1);

    // A second tab; the first keeps its screen.
    await openTerminal(page, 'rack1-n02');
    await expect(tab(page, 'rack1-n02')).toHaveAttribute('aria-selected', 'true');
    await type(page, 'rack1-n02', 'echo second tab');
    await expect(screenRow(page, 'rack1-n02', /^second tab\s*$/)).toHaveCount(1);
    await tab(page, 'rack1-n01').click();
    await expect(screenRow(page, 'rack1-n01', /^42\s*$/)).toHaveCount(1);

    // Another view: the terminals stay, with what they showed.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Builds' }).click();
    await expect(screenRow(page, 'rack1-n01', /^42\s*$/)).toHaveCount(1);
    await type(page, 'rack1-n01', 'echo $((5+5))');
    await expect(screenRow(page, 'rack1-n01', /^10\s*$/)).toHaveCount(1);

    // The shell exits: the tab is marked and stays readable.
    await type(page, 'rack1-n01', 'exit 0');
    await expect(panel(page, 'rack1-n01')).toHaveAttribute('data-terminal-state', 'closed');
    await expect(panel(page, 'rack1-n01').getByRole('status')).toHaveText('closed: exit 0');
    await expect(tab(page, 'rack1-n01 (closed)')).toBeVisible();
    await expect(screenRow(page, 'rack1-n01', /^42\s*$/)).toHaveCount(1);
    await saveScreenshot(page, 'terminal-mock');

    // Closing an open tab's session marks it "closed"; closing a closed tab removes it.
    await dock(page).getByRole('button', { name: 'Close the terminal on rack1-n02' }).click();
    await expect(panel(page, 'rack1-n02')).toHaveAttribute('data-terminal-state', 'closed');
    await dock(page).getByRole('button', { name: 'Remove the terminal tab of rack1-n01' }).click();
    await expect(dock(page).getByRole('tab')).toHaveCount(1);
    expect(consoleErrors).toEqual([]);
  });

  test('an unreachable node is refused in its tab, with why', async ({ page, launch, consoleErrors }) => {
    const server = await launch({ mock: true });
    await openMockedNodes(page, server.url);
    await expect(row(page, 'rack3-n07')).toHaveAttribute('data-state', 'unreachable');
    await row(page, 'rack3-n07').getByRole('button', { name: 'rack3-n07', exact: true }).click();
    await detail(page).getByRole('button', { name: 'Terminal' }).click();
    await expect(panel(page, 'rack3-n07')).toHaveAttribute('data-terminal-state', 'closed');
    await expect(panel(page, 'rack3-n07').getByRole('status')).toHaveText(/^could not open: rack3-n07: .*ECONNREFUSED/);
    expect(consoleErrors).toEqual([]);
  });
});

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');

test('a terminal on a real sshd node runs echo $((6*7)) and shows 42 (real backend, root)', async ({ page, launch, consoleErrors }) => {
  test.skip(!canRun, 'needs root and sshd');
  const dir = mkdtempSync(join(tmpdir(), 'slipway-ui-terminal-'));
  chmodSync(dir, 0o755);
  let fleet: Fleet | null = null;
  try {
    fleet = await startFleet({ count: 1, dir: join(dir, 'fleet'), firstOctet: 238, port: 2312, user: 'slipway-test' });
    const [node] = fleet.nodes;
    saveInventory(join(dir, 'nodes.yaml'), [{ name: 'term-node', host: node!.host, port: node!.port, user: fleet.user, identity: fleet.clientKey, jump: null, labels: [] }]);
    writeFileSync(join(dir, 'known_hosts'), fleet.knownHosts);
    const server = await launch({
      env: {
        SLIPWAY_INVENTORY: join(dir, 'nodes.yaml'),
        SLIPWAY_KNOWN_HOSTS: join(dir, 'known_hosts'),
        SLIPWAY_STATE_DIR: join(dir, 'state'),
        XDG_CONFIG_HOME: join(dir, 'config'),
      },
    });
    await page.goto(server.url);
    await nodesLink(page).click();
    await expect(row(page, 'term-node')).toHaveAttribute('data-state', 'reachable');
    await openTerminal(page, 'term-node');
    await type(page, 'term-node', 'echo $((6*7))');
    await expect(screenRow(page, 'term-node', /(^|\$ )42\s*$/)).toHaveCount(1);
    // The pty has the screen's size (fitted to the panel), not a default 80x24.
    await type(page, 'term-node', 'stty size');
    await expect(screenRow(page, 'term-node', /^(\$ )?\d+ \d+\s*$/)).toHaveCount(1);
    const sizes = screenRow(page, 'term-node', /^(\$ )?\d+ \d+\s*$/);
    const size = (await sizes.textContent())!.replace('$', '').trim();
    expect(size).not.toBe('24 80');
    // A narrower window: the screen refits and the pty is resized with it (ssh2 setWindow).
    await page.setViewportSize({ width: 960, height: 800 });
    await type(page, 'term-node', 'stty size');
    await expect(sizes).toHaveCount(2);
    const [rows, cols] = (await sizes.nth(1).textContent())!.replace('$', '').trim().split(' ').map(Number);
    expect(rows).toBe(Number(size.split(' ')[0]));
    expect(cols).toBeLessThan(Number(size.split(' ')[1]));
    await type(page, 'term-node', 'exit 7');
    await expect(panel(page, 'term-node').getByRole('status')).toHaveText('closed: exit 7');
    await expect(screenRow(page, 'term-node', /(^|\$ )42\s*$/)).toHaveCount(1);
    await saveScreenshot(page, 'terminal-real');
    expect(consoleErrors).toEqual([]);
  } finally {
    await fleet?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
