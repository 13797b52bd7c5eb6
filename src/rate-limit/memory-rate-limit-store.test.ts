import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import { rateLimitStoreCases } from './rate-limit-store.case.js';

rateLimitStoreCases('memory', () => new MemoryRateLimitStore());

describe('memory rate-limit store over time', () => {
  it('never admits more than the limit in any 60-second span of random traffic', () => {
    let now = 1_700_000_000_000;
    const store = new MemoryRateLimitStore(() => now);
    const admitted: number[] = [];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let request = 0; request < 20_000; request++) {
      now += Math.floor(random() * 40);
      if (store.admitNow([{ id: 'key:a/rpm', limit: 25, amount: 1 }]).ok) admitted.push(now);
    }
    let most = 0;
    for (let first = 0, last = 0; last < admitted.length; last++) {
      while (admitted[last]! - admitted[first]! >= 60_000) first++;
      most = Math.max(most, last - first + 1);
    }
    expect(most).toBe(25);
    // Room frees at most a second late: over ~6.7 minutes, close to 25 a minute get through.
    expect(admitted.length).toBeGreaterThanOrEqual(25 * Math.floor((now - 1_700_000_000_000) / 61_000));
  });

  it('admits again exactly when the retry-after it gave has passed', () => {
    let now = 1_700_000_000_400;
    const store = new MemoryRateLimitStore(() => now);
    const check = [{ id: 'key:a/rpm', limit: 2, amount: 1 }];
    store.admitNow(check);
    now += 30_000;
    store.admitNow(check);
    const refused = store.admitNow(check);
    expect(refused).toEqual({ ok: false, refused: 0, retryAfterMs: 30_600 });
    now += 30_599;
    expect(store.admitNow(check).ok).toBe(false);
    now += 1;
    expect(store.admitNow(check).ok).toBe(true);
  });
});
