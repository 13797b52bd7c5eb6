import type { CacheConfig } from './cache-schema.js';
import type { CacheStore } from './cache-store.js';
import { memoryCacheStore } from './memory-cache-store.js';
import { openRedisCacheStore } from './redis-cache-store.js';
import { openSqliteCacheStore } from './sqlite-cache-store.js';

/** The store `config.store` names. Throws when it cannot be opened (a bad file, no Redis URL). */
export function openCacheStore(config: CacheConfig): CacheStore {
  switch (config.store) {
    case 'memory':
      return memoryCacheStore({ maxEntries: config.maxEntries });
    case 'sqlite':
      return openSqliteCacheStore(config.path ?? 'cache.db');
    case 'redis':
      if (!config.redisUrl) {
        throw new Error(
          'cache.store is "redis" but no Redis URL is set: set cache.redisUrl, budgetSettings.redisUrl or LLMKIT_REDIS_URL',
        );
      }
      return openRedisCacheStore(config.redisUrl, { prefix: `${config.namespace}:cache:` });
  }
}
