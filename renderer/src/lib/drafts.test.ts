import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keepDraft, loadDraft, maxDraftChars } from './drafts.js';

class MemoryStorage {
  items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}

describe('editor drafts', () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = new MemoryStorage();
    (globalThis as { localStorage?: unknown }).localStorage = storage;
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('keeps an edited text, and forgets it once it is the starting text again', () => {
    keepDraft('spec', 'name: mine\n', 'name: example\n');
    expect(loadDraft('spec')).toBe('name: mine\n');
    keepDraft('spec', 'name: example\n', 'name: example\n');
    expect(loadDraft('spec')).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it('keeps nothing larger than the cap, and drops an older draft then', () => {
    keepDraft('spec', 'small', null);
    keepDraft('spec', 'x'.repeat(maxDraftChars + 1), null);
    expect(loadDraft('spec')).toBeNull();
  });

  it('works without storage, and when the quota is full', () => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
    keepDraft('spec', 'a', null);
    expect(loadDraft('spec')).toBeNull();
    (globalThis as { localStorage?: unknown }).localStorage = { ...storage, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(() => keepDraft('spec', 'b', null)).not.toThrow();
  });
});
