import { afterEach, describe, expect, it, vi } from 'vitest';

/** The store reads the remembered choice as it loads: each test loads it afresh over its own storage and page. */
async function loadStore(stored: Record<string, string>) {
  const items = new Map(Object.entries(stored));
  const page = { documentElement: { dataset: {} as Record<string, string> } };
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  });
  vi.stubGlobal('document', page);
  vi.resetModules();
  const store = await import('./theme-store.js');
  return { ...store, items, page };
}

describe('theme store', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('follows the system until a theme is chosen, and marks the page before the first render', async () => {
    const { useTheme, page } = await loadStore({});
    expect(useTheme.getState().choice).toBe('system');
    expect(page.documentElement.dataset.theme).toBe('system');
  });

  it('remembers a choice, and marks the page with it', async () => {
    const { useTheme, items, page, themeStorageKey } = await loadStore({});
    useTheme.getState().choose('light');
    expect(items.get(themeStorageKey)).toBe('light');
    expect(page.documentElement.dataset.theme).toBe('light');
    const reloaded = await loadStore({ [themeStorageKey]: 'dark' });
    expect(reloaded.useTheme.getState().choice).toBe('dark');
    expect(reloaded.page.documentElement.dataset.theme).toBe('dark');
  });

  it('ignores a remembered value it does not know', async () => {
    const { useTheme } = await loadStore({ 'slipway.theme': 'sepia' });
    expect(useTheme.getState().choice).toBe('system');
  });
});
