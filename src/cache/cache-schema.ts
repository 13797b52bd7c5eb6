import { z } from 'zod';

const count = (message: string) => z.number({ error: message }).int({ error: message });
const positive = count('must be a whole number > 0').min(1, { error: 'must be a whole number > 0' });
const text = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });

/**
 * The exact-match response cache (docs/cache.md). Nothing is cached unless a call asks
 * (`cache: true`, the gateway's `x-llmkit-cache` header) or its model is listed in `models`.
 */
export const cacheSchema = z.strictObject(
  {
    /** `memory`: this process only, bounded LRU. `sqlite`: a file, shared by processes on one machine. `redis`: shared by instances. */
    store: z
      .enum(['memory', 'sqlite', 'redis'], { error: 'must be "memory", "sqlite" or "redis"' })
      .default('memory'),
    /** How long an entry answers; a call may ask for its own (`cache: { ttlSeconds }`). */
    ttlSeconds: positive.default(3600),
    /** Model names (as callers write them: alias, route, `provider/model`) whose calls are cached unless they say `cache: false`. */
    models: z.array(text, { error: 'must be a list of model names' }).default(() => []),
    /** `memory`: the most entries kept; the least recently used goes first. */
    maxEntries: positive.default(1000),
    /** An answer larger than this (stored JSON, bytes) is not stored. */
    maxEntryBytes: positive.default(256 * 1024),
    /** `sqlite`: the file; default `<home>/cache.db`. */
    path: text.optional(),
    /** `redis`: default `budgetSettings.redisUrl` (env LLMKIT_REDIS_URL). */
    redisUrl: text.optional(),
    /** Part of every key (and the Redis key prefix `<namespace>:cache:`): change it to drop every entry at once. */
    namespace: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z0-9._-]+$/, { error: 'must be letters, digits, ".", "_" or "-"' })
      .default('llmkit'),
    /** Entries are kept apart per gateway key, so one tenant never receives an answer cached for another. */
    perKey: z.boolean({ error: 'must be true or false' }).default(true),
  },
  { error: 'must be an object' },
);

export type CacheConfig = z.output<typeof cacheSchema>;
