import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheSchema } from './cache-schema.js';
import { openCacheStore } from './open-cache-store.js';

// Vitest runs each test file in a process of its own, so nothing else has loaded ioredis here.
const ioredisLoaded = () =>
  Object.keys(createRequire(import.meta.url).cache).some((path) => /[\\/]ioredis[\\/]/.test(path));

describe('openCacheStore', () => {
  it('opens the configured store, and loads ioredis only for a Redis one', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'llmkit-cache-'));
    try {
      const memory = openCacheStore(cacheSchema.parse({}));
      const sqlite = openCacheStore(cacheSchema.parse({ store: 'sqlite', path: join(folder, 'cache.db') }));
      expect([memory.backend, sqlite.backend]).toEqual(['memory', 'sqlite']);
      await Promise.all([memory.close(), sqlite.close()]);
      // ioredis slows V8 string code process-wide once loaded (redis-connection.ts).
      expect(ioredisLoaded()).toBe(false);
      const redis = openCacheStore(cacheSchema.parse({ store: 'redis', redisUrl: 'redis://127.0.0.1:1' }));
      expect(redis.backend).toBe('redis');
      expect(ioredisLoaded()).toBe(true);
      await redis.close();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
