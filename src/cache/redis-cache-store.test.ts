import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisUrl } from '../../test/support/services.js';
import { cacheStoreCases } from './cache-store.case.js';
import { openRedisCacheStore } from './redis-cache-store.js';

const url = await redisUrl();

describe.skipIf(!url)('redis', () => {
  // Each test gets its own prefix, so runs never see each other's entries.
  cacheStoreCases('redis', async () =>
    openRedisCacheStore(url!, { prefix: `llmkit-test-${randomUUID()}:cache:` }),
  );

  it('stores under the prefix with a Redis TTL, so Redis itself drops expired entries', async () => {
    const prefix = `llmkit-test-${randomUUID()}:cache:`;
    const store = openRedisCacheStore(url!, { prefix });
    await store.set('k', 'v', 60_000);
    const redis = new Redis(url!);
    try {
      const ttl = await redis.pttl(`${prefix}k`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await redis.del(`${prefix}k`);
    } finally {
      redis.disconnect();
      await store.close();
    }
  });
});

describe('redis cache store errors', () => {
  it('rejects when Redis cannot be reached, naming it without its password', async () => {
    const store = openRedisCacheStore('redis://user:secret@127.0.0.1:1', { prefix: 'x:' });
    const error = await store.get('k').catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/127\.0\.0\.1:1/);
    expect(String(error)).not.toContain('secret');
    await store.close();
  });
});
