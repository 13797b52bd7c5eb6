import { RedisConnection, redactRedisUrl } from '../budget/redis-connection.js';
import type { CacheStore } from './cache-store.js';

export interface RedisCacheStoreOptions {
  /** Prefix of every key, e.g. `llmkit:cache:`. */
  prefix: string;
  /** Every operation ends within this; default 500 ms: past it, asking the upstream is the better bet. */
  commandTimeoutMs?: number;
}

/**
 * Entries in Redis, shared by every instance pointing at it; Redis expires them itself
 * (`SET ... PX`). ioredis is loaded only when this store is opened (see redis-connection.ts).
 */
export function openRedisCacheStore(url: string, options: RedisCacheStoreOptions): CacheStore {
  const timeoutMs = options.commandTimeoutMs ?? 500;
  const connection = new RedisConnection(url, timeoutMs, timeoutMs);
  const redis = connection.redis;
  const { prefix } = options;
  const run = <T>(send: () => Promise<T>): Promise<T> => {
    // Down already: fail at once rather than make every call wait out the timeout. ioredis keeps
    // reconnecting meanwhile, and the cache answers again as soon as it is back.
    if (redis.status === 'reconnecting') {
      return Promise.reject(new Error(`Redis at ${redactRedisUrl(url)} is unreachable (reconnecting)`));
    }
    return connection.run(send);
  };
  return {
    backend: 'redis',
    async get(key) {
      const value = await run(() => redis.get(`${prefix}${key}`));
      return value ?? undefined;
    },
    async set(key, value, ttlMs) {
      await run(() => redis.set(`${prefix}${key}`, value, 'PX', Math.max(1, Math.ceil(ttlMs))));
    },
    close: () => connection.close(),
  };
}
