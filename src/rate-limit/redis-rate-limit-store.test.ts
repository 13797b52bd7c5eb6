import { describe, expect, it } from 'vitest';
import { redisUrl } from '../../test/support/services.js';
import { rateLimitStoreCases } from './rate-limit-store.case.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';

const url = await redisUrl();

describe.skipIf(!url)('redis', () => {
  rateLimitStoreCases('redis', () => new RedisRateLimitStore(url!));

  it('two stores on one Redis share one window', async () => {
    const [one, two] = [new RedisRateLimitStore(url!), new RedisRateLimitStore(url!)];
    const limit = { id: `test-shared-${Date.now()}-${Math.random()}/rpm`, limit: 6, amount: 1 };
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, index) => (index % 2 ? one : two).admit([limit])),
    );
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(6);
    await Promise.all([one.close(), two.close()]);
  });
});

describe('redis rate-limit store, unreachable', () => {
  it('rejects within its timeout instead of hanging the call', async () => {
    const store = new RedisRateLimitStore('redis://127.0.0.1:1', { commandTimeoutMs: 200 });
    await expect(store.admit([{ id: 'x/rpm', limit: 1, amount: 1 }])).rejects.toMatchObject({
      code: 'budget_store_unavailable',
    });
    await store.close();
  });
});
