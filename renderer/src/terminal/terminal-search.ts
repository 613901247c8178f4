import type { SearchAddon } from '@xterm/addon-search';

/** Each tab's search addon, for the dock's search box (xterm itself loads with the first screen). */
export const searchers = new Map<string, Pick<SearchAddon, 'findNext' | 'findPrevious'>>();
