import { expect, type Page } from '@playwright/test';
import type { ConsoleServer } from './console-server.js';

// The Nodes view as the UI tests find it, and the mocked lab's prompts put out of the way.

export const table = (page: Page) => page.getByRole('table', { name: 'Nodes' });
export const row = (page: Page, name: string) => table(page).locator(`tr[data-node="${name}"]`);
export const hostKey = (page: Page) => page.getByRole('dialog', { name: 'Unknown host key' });
export const passphrase = (page: Page) => page.getByRole('dialog', { name: 'Key passphrase needed' });
export const recentErrors = (page: Page) => detail(page).getByRole('list', { name: 'Recent errors' });
export const vaultKey = '/home/operator/.ssh/id_vault_ed25519';
export const detail = (page: Page) => page.locator('section.node');
export const filter = (page: Page) => page.getByLabel('Filter nodes');
export const nodesLink = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Nodes/ });

export async function openNodes(page: Page, server: ConsoleServer): Promise<void> {
  await page.goto(server.url);
  await nodesLink(page).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nodes');
  await expect(row(page, 'rack1-n01')).toHaveAttribute('data-state', 'reachable');
}

/** The pending prompt for rack4-n01 greets every fresh page; most tests put it off. */
export async function answerLater(page: Page): Promise<void> {
  await hostKey(page).getByRole('button', { name: 'Later' }).click();
  await expect(hostKey(page)).toBeHidden();
}

/** Both prompts out of the way: rack4-n01's key put off, rack5-vault's passphrase declined (it stays auth-failed). */
export async function putOffPrompts(page: Page): Promise<void> {
  await answerLater(page);
  await passphrase(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(passphrase(page)).toBeHidden();
}

export async function openDetail(page: Page, name: string): Promise<void> {
  await row(page, name).getByRole('button', { name, exact: true }).click();
  await expect(detail(page)).toHaveAttribute('data-node', name);
}
