import { expect, type Page } from '@playwright/test';
import type { ConsoleServer } from './console-server.js';

/** The Cells view as the UI tests find it: by role and label. */
export const appsTable = (page: Page) => page.getByRole('table', { name: 'Apps' });
export const serversTable = (page: Page) => page.getByRole('table', { name: 'Servers' });
export const appRows = (page: Page) => page.locator('[aria-label="Apps"] .ctable__body [role="row"]');
export const serverRows = (page: Page) => page.locator('[aria-label="Servers"] .ctable__body [role="row"]');
export const appRow = (page: Page, instance: string) => page.locator(`[aria-label="Apps"] .ctable__body [role="row"][data-instance="${instance}"]`);
export const appCount = (page: Page) => page.getByTestId('cell-apps-count');
export const stateChip = (page: Page, state: string) => page.getByRole('group', { name: 'Apps by state' }).locator(`button[data-state="${state}"]`);
export const tab = (page: Page, name: RegExp) => page.getByRole('tab', { name });
export const cellPicker = (page: Page) => page.getByRole('toolbar', { name: 'Cell' }).getByRole('combobox', { name: 'Cell' });
export const appDetail = (page: Page) => page.locator('section.cdetail');
export const timeline = (page: Page) => page.getByRole('list', { name: 'Event timeline' });

/** Every state's count, read at once: a live change may move an app between two reads. */
export async function stateCounts(page: Page): Promise<Record<string, number>> {
  return page
    .getByRole('group', { name: 'Apps by state' })
    .locator('button')
    .evaluateAll((buttons) => Object.fromEntries(buttons.map((b) => [b.getAttribute('data-state')!, Number((b.querySelector('.cstates__n')?.textContent ?? '').replace(/,/g, ''))])));
}

export async function openCells(page: Page, server: ConsoleServer): Promise<void> {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cells' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cells');
}
