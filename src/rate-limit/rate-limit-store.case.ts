import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RateLimitStore } from './rate-limit-store.js';

/**
 * The contract every rate-limit store keeps, run against each (memory, Redis). No test reads a
 * clock: a Redis store counts on Redis's own.
 */
export function rateLimitStoreCases(name: string, open: () => RateLimitStore): void {
  const id = (label: string) => `test-${randomUUID()}/${label}`;

  describe(`${name} rate-limit store`, () => {
    it('admits exactly the limit out of many concurrent admissions', async () => {
      const store = open();
      const limit = id('rpm');
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => store.admit([{ id: limit, limit: 10, amount: 1 }])),
      );
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(10);
      await store.close();
    });

    it('counts all limits or none: a call refused by one leaves the others untouched', async () => {
      const store = open();
      const [wide, narrow] = [id('wide'), id('narrow')];
      expect((await store.admit([{ id: narrow, limit: 1, amount: 1 }])).ok).toBe(true);
      for (let call = 0; call < 5; call++) {
        const outcome = await store.admit([
          { id: wide, limit: 3, amount: 1 },
          { id: narrow, limit: 1, amount: 1 },
        ]);
        expect(outcome).toMatchObject({ ok: false, refused: 1 });
      }
      // Had the refused calls counted on `wide`, these would not fit.
      for (let call = 0; call < 3; call++)
        expect((await store.admit([{ id: wide, limit: 3, amount: 1 }])).ok).toBe(true);
      await store.close();
    });

    it('says when the limit admits again: within the minute (plus its one-second slot)', async () => {
      const store = open();
      const limit = id('rpm');
      await store.admit([{ id: limit, limit: 1, amount: 1 }]);
      const outcome = await store.admit([{ id: limit, limit: 1, amount: 1 }]);
      expect(outcome.ok).toBe(false);
      const wait = outcome.ok ? 0 : outcome.retryAfterMs!;
      expect(wait).toBeGreaterThan(59_000);
      expect(wait).toBeLessThanOrEqual(61_000);
      await store.close();
    });

    it('names the limit that can never admit the amount, with no wait', async () => {
      const store = open();
      const [small, huge] = [id('rpm'), id('tpm')];
      await store.admit([{ id: small, limit: 1, amount: 1 }]);
      const outcome = await store.admit([
        { id: small, limit: 1, amount: 1 },
        { id: huge, limit: 100, amount: 150 },
      ]);
      expect(outcome).toEqual({ ok: false, refused: 1, retryAfterMs: undefined });
      await store.close();
    });

    it('corrects an estimate to the actual amount, both ways', async () => {
      const store = open();
      const tokens = id('tpm');
      const first = await store.admit([{ id: tokens, limit: 100, amount: 80 }]);
      expect(first.ok).toBe(true);
      expect((await store.admit([{ id: tokens, limit: 100, amount: 30 }])).ok).toBe(false);
      await store.adjust(first.ok ? first.second : 0, [{ id: tokens, delta: -70 }]);
      const second = await store.admit([{ id: tokens, limit: 100, amount: 30 }]);
      expect(second.ok).toBe(true);
      await store.adjust(second.ok ? second.second : 0, [{ id: tokens, delta: 55 }]);
      // 10 + 85 = 95 held: 5 more fit, 6 do not.
      expect((await store.admit([{ id: tokens, limit: 100, amount: 6 }])).ok).toBe(false);
      expect((await store.admit([{ id: tokens, limit: 100, amount: 5 }])).ok).toBe(true);
      await store.close();
    });
  });
}
