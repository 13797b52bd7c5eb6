import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CacheStore } from './cache-store.js';

/*
 * The contract every cache store meets, run by memory-, sqlite- and redis-cache-store.test.ts
 * against a fresh store each test (hono's common.case.test.ts style).
 */
export function cacheStoreCases(name: string, open: () => Promise<CacheStore>): void {
  describe(`${name} cache store contract`, () => {
    let store: CacheStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    it('has nothing under a key never set', async () => {
      expect(await store.get('never-set')).toBeUndefined();
    });

    it('reads back what was set, byte for byte, and the latest value of a key', async () => {
      const value = JSON.stringify({ text: 'héllo 你好 🙂\n\u0000', n: 1 });
      await store.set('a', value, 60_000);
      await store.set('b', 'other', 60_000);
      expect(await store.get('a')).toBe(value);
      await store.set('a', 'replaced', 60_000);
      expect(await store.get('a')).toBe('replaced');
      expect(await store.get('b')).toBe('other');
    });

    it('forgets an entry once its TTL has passed, and only that entry', async () => {
      await store.set('short', 'x', 30);
      await store.set('long', 'y', 60_000);
      await vi.waitFor(async () => expect(await store.get('short')).toBeUndefined(), {
        timeout: 5000,
        interval: 10,
      });
      expect(await store.get('long')).toBe('y');
    });
  });
}
