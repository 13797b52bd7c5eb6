import type { CacheStore, Clock } from './cache-store.js';

export interface MemoryCacheStoreOptions {
  /** The most entries kept; storing one more drops the least recently used. */
  maxEntries: number;
  now?: Clock;
}

/**
 * A bounded LRU in this process. A Map keeps insertion order, so re-inserting an entry on every
 * read makes the first key the least recently used. Expired entries are dropped when read, and
 * crowd nothing out for long: they are the least recently used by then.
 */
export function memoryCacheStore(options: MemoryCacheStoreOptions): CacheStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: string; expiresAt: number }>();
  return {
    backend: 'memory',
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    async set(key, value, ttlMs) {
      entries.delete(key);
      entries.set(key, { value, expiresAt: now() + ttlMs });
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    async close() {
      entries.clear();
    },
  };
}
