import { expect, type Page } from '@playwright/test';
import type { ConsoleServer } from './console-server.js';

/** The Containers view as the UI tests find it: by role and label, as an operator's eye would. */
export const table = (page: Page) => page.getByRole('table', { name: 'Containers' });
export const bodyRows = (page: Page) => page.locator('.ctable__body [role="row"]');
export const rowOf = (page: Page, instance: string) => page.locator(`.ctable__body [role="row"][data-instance="${instance}"]`);
export const stateChip = (page: Page, state: string) => page.getByRole('group', { name: 'Filter by state' }).locator(`button[data-state="${state}"]`);
export const nodeFilter = (page: Page) => page.getByRole('combobox', { name: 'Node' });
export const appFilter = (page: Page) => page.getByRole('searchbox', { name: 'App' });
export const count = (page: Page) => page.getByTestId('containers-count');
export const viewport = (page: Page) => page.getByTestId('containers-viewport');
export const nodeCard = (page: Page, node: string) => page.getByRole('list', { name: 'Treadmill nodes' }).locator(`li[data-node="${node}"]`);
export const detail = (page: Page) => page.locator('section.cdetail');
export const timeline = (page: Page) => page.getByRole('list', { name: 'Event timeline' });
export const logPanel = (page: Page) => detail(page).locator('section.clog');
export const logLines = (page: Page) => page.getByRole('log', { name: 'Container log' }).locator('.clog__line');
export const ageHeader = (page: Page) => table(page).getByRole('columnheader', { name: /^Age/ });

export async function openContainers(page: Page, server: ConsoleServer): Promise<void> {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Containers' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Containers');
}
