import { create } from 'zustand';
import { browserStorage } from '../lib/browser-storage.js';

/** "system" follows the operating system's light or dark preference (prefers-color-scheme). */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const themeChoices: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** Where the choice is remembered, per browser profile (or the desktop window's). */
export const themeStorageKey = 'slipway.theme';

function isChoice(value: unknown): value is ThemeChoice {
  return themeChoices.includes(value as ThemeChoice);
}

function remembered(): ThemeChoice {
  const value = browserStorage()?.getItem(themeStorageKey);
  return isChoice(value) ? value : 'system';
}

/**
 * <html data-theme="system|light|dark">: styles.css declares every colour with
 * light-dark() and pins color-scheme for "light" and "dark"; "system" leaves it
 * to prefers-color-scheme. An attribute, not an inline style (the CSP allows none).
 */
function apply(choice: ThemeChoice): void {
  if (typeof document !== 'undefined') document.documentElement.dataset.theme = choice;
}

interface ThemeState {
  choice: ThemeChoice;
  choose(choice: ThemeChoice): void;
}

export const useTheme = create<ThemeState>()((set) => ({
  choice: remembered(),
  choose(choice) {
    try {
      browserStorage()?.setItem(themeStorageKey, choice);
    } catch {
      // Quota or a refused write: the choice still holds for this page.
    }
    apply(choice);
    set({ choice });
  },
}));

// Applied as the module loads, before the first render: no flash of the other theme.
apply(useTheme.getState().choice);

// Another window of the same console changed it: follow.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== themeStorageKey) return;
    const choice = isChoice(event.newValue) ? event.newValue : 'system';
    apply(choice);
    useTheme.setState({ choice });
  });
}
