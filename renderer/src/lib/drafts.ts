import { browserStorage } from './browser-storage.js';

/**
 * Editor drafts (a build spec, an app definition) kept across a reload in
 * this browser profile. Specs carry no secrets (a deploy's secret values
 * live in its form, never here); a draft larger than the cap is not kept,
 * so one pasted log cannot fill the profile's quota.
 */
export const maxDraftChars = 256 * 1024;

const keyOf = (name: string) => `slipway.draft.${name}`;

export function loadDraft(name: string): string | null {
  const text = browserStorage()?.getItem(keyOf(name)) ?? null;
  return text !== null && text.length <= maxDraftChars ? text : null;
}

/** Keeps `text` as the draft, or forgets it when it is the untouched starting text (or too large to keep). */
export function keepDraft(name: string, text: string, pristine: string | null): void {
  const storage = browserStorage();
  if (!storage) return;
  try {
    if (text === pristine || text.length > maxDraftChars) storage.removeItem(keyOf(name));
    else storage.setItem(keyOf(name), text);
  } catch {
    // Quota exceeded: the draft lasts until reload, as without storage.
  }
}
