import { describe, expect, it } from 'vitest';
import { cacheStoreCases } from './cache-store.case.js';
import { memoryCacheStore } from './memory-cache-store.js';

cacheStoreCases('memory', async () => memoryCacheStore({ maxEntries: 100 }));

describe('memory cache store', () => {
  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const store = memoryCacheStore({ maxEntries: 2 });
    await store.set('a', '1', 60_000);
    await store.set('b', '2', 60_000);
    expect(await store.get('a')).toBe('1'); // a is now the most recently used
    await store.set('c', '3', 60_000);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('1');
    expect(await store.get('c')).toBe('3');
  });

  it('expires by its clock', async () => {
    let now = 1_000;
    const store = memoryCacheStore({ maxEntries: 10, now: () => now });
    await store.set('a', '1', 500);
    now += 499;
    expect(await store.get('a')).toBe('1');
    now += 1;
    expect(await store.get('a')).toBeUndefined();
  });
});
