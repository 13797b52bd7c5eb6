import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BudgetStore } from './budget-store.js';
import { counters, line, reservation } from './store-case-fixtures.js';
import { storeConcurrencyCases } from './store-concurrency.case.js';

/*
 * The contract every budget store meets, run by sqlite-budget-store.test.ts and
 * redis-budget-store.test.ts against a fresh file or key prefix each test (hono's
 * common.case.test.ts style). Money is integer nano-dollars throughout.
 */

export interface BudgetStoreHarness {
  /** Opens another instance (its own connection) on this harness's file or prefix. */
  open(): BudgetStore | Promise<BudgetStore>;
  /** Removes the file or every key under the prefix. */
  destroy(): Promise<void>;
}

export type HarnessFactory = () => Promise<BudgetStoreHarness>;

/** Opens instances through the harness and closes them all after each test. */
export function useStores(createHarness: HarnessFactory): { open(): Promise<BudgetStore> } {
  let harness: BudgetStoreHarness;
  const opened: BudgetStore[] = [];
  beforeEach(async () => {
    harness = await createHarness();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await harness.destroy();
  });
  return {
    async open() {
      const store = await harness.open();
      opened.push(store);
      return store;
    },
  };
}

export function budgetStoreCases(name: string, createHarness: HarnessFactory): void {
  describe(`${name} budget store contract`, () => {
    const stores = useStores(createHarness);
    let store: BudgetStore;
    beforeEach(async () => {
      store = await stores.open();
    });

    it('reads zeros for lines it has never seen', async () => {
      expect(await store.state(['a', 'b'])).toEqual([counters('a'), counters('b')]);
      expect(await store.state([])).toEqual([]);
    });

    it('reserves on every line, hard and soft, and reports their counters', async () => {
      const lines = [line('hard', { limitNanos: 1000 }), line('soft', { hard: false, limitNanos: 10 })];
      const outcome = await store.reserve(lines, reservation({ amountNanos: 400, tokens: 7 }));
      expect(outcome).toEqual({
        ok: true,
        reservedNanos: 400,
        lines: [counters('hard', 0, 400, 0, 7), counters('soft', 0, 400, 0, 7)],
      });
      expect(await store.state(['soft', 'hard'])).toEqual([
        counters('soft', 0, 400, 0, 7),
        counters('hard', 0, 400, 0, 7),
      ]);
    });

    it('fits exactly up to the limit and refuses one nano-dollar more, reserving nothing anywhere', async () => {
      const lines = [
        line('free'),
        line('tight', { limitNanos: 1000 }),
        line('soft', { hard: false, limitNanos: 1 }),
      ];
      expect((await store.reserve(lines, reservation({ amountNanos: 600 }))).ok).toBe(true);
      const refused = await store.reserve(lines, reservation({ amountNanos: 401, tokens: 3 }));
      expect(refused).toEqual({
        ok: false,
        refusedBy: 'tight',
        lines: [
          counters('free', 0, 600, 0, 10),
          counters('tight', 0, 600, 0, 10),
          counters('soft', 0, 600, 0, 10),
        ],
      });
      expect(await store.reserve(lines, reservation({ amountNanos: 400 }))).toMatchObject({
        ok: true,
        reservedNanos: 400,
      });
      expect(await store.state(['tight'])).toEqual([counters('tight', 0, 1000, 0, 20)]);
    });

    it('names the first hard line that refuses, in the order given', async () => {
      const lines = [
        line('roomy', { limitNanos: 10_000 }),
        line('first', { limitNanos: 50 }),
        line('second', { limitNanos: 10 }),
      ];
      expect(await store.reserve(lines, reservation({ amountNanos: 100 }))).toMatchObject({
        ok: false,
        refusedBy: 'first',
      });
    });

    it('lets soft lines go past their limit: they only count', async () => {
      const soft = [line('soft', { hard: false, limitNanos: 100, limitTokens: 1 })];
      expect((await store.reserve(soft, reservation({ amountNanos: 500, tokens: 50 }))).ok).toBe(true);
      expect((await store.reserve(soft, reservation({ amountNanos: 500, tokens: 50 }))).ok).toBe(true);
      expect(await store.state(['soft'])).toEqual([counters('soft', 0, 1000, 0, 100)]);
    });

    it('refuses any positive amount under a limit of 0, and takes a zero amount', async () => {
      const zero = [line('zero', { limitNanos: 0 })];
      expect(await store.reserve(zero, reservation({ amountNanos: 1 }))).toMatchObject({
        ok: false,
        refusedBy: 'zero',
      });
      expect(await store.reserve(zero, reservation({ amountNanos: 0, tokens: 5 }))).toMatchObject({
        ok: true,
        reservedNanos: 0,
      });
    });

    it('enforces token limits, with or without a dollar limit', async () => {
      const tokensOnly = [line('tokens', { limitTokens: 100 })];
      expect((await store.reserve(tokensOnly, reservation({ amountNanos: 1e9, tokens: 60 }))).ok).toBe(true);
      expect(await store.reserve(tokensOnly, reservation({ tokens: 41 }))).toMatchObject({
        ok: false,
        refusedBy: 'tokens',
      });
      expect((await store.reserve(tokensOnly, reservation({ tokens: 40 }))).ok).toBe(true);
    });

    describe('clamp (minimumNanos)', () => {
      it('reserves the largest amount that still fits, tokens scaled and rounded down', async () => {
        const lines = [line('cap', { limitNanos: 1000 }), line('soft', { hard: false })];
        await store.reserve(lines, reservation({ amountNanos: 700 }));
        const outcome = await store.reserve(
          lines,
          reservation({ amountNanos: 500, tokens: 50, minimumNanos: 100 }),
        );
        // 300 of 500 fits; 50 tokens × 300/500 = 30.
        expect(outcome).toEqual({
          ok: true,
          reservedNanos: 300,
          lines: [counters('cap', 0, 1000, 0, 40), counters('soft', 0, 1000, 0, 40)],
        });
      });

      it('takes the whole amount when it fits', async () => {
        const outcome = await store.reserve(
          [line('cap', { limitNanos: 1000 })],
          reservation({ amountNanos: 500, minimumNanos: 1 }),
        );
        expect(outcome).toMatchObject({ ok: true, reservedNanos: 500 });
      });

      it('fits a token limit exactly: the largest amount whose scaled tokens fit', async () => {
        const outcome = await store.reserve(
          [line('tokens', { limitTokens: 100 })],
          reservation({ amountNanos: 1000, tokens: 200, minimumNanos: 10 }),
        );
        // 504 × 200/1000 = 100.8 → 100 tokens fit; 505 would scale to 101.
        expect(outcome).toEqual({
          ok: true,
          reservedNanos: 504,
          lines: [counters('tokens', 0, 504, 0, 100)],
        });
      });

      it('refuses, reserving nothing, when not even the minimum fits', async () => {
        const lines = [line('cap', { limitNanos: 1000 }), line('other', { limitNanos: 10_000 })];
        await store.reserve(lines, reservation({ amountNanos: 950 }));
        const outcome = await store.reserve(lines, reservation({ amountNanos: 500, minimumNanos: 51 }));
        expect(outcome).toMatchObject({ ok: false, refusedBy: 'cap' });
        expect(await store.state(['cap', 'other'])).toEqual([
          counters('cap', 0, 950, 0, 10),
          counters('other', 0, 950, 0, 10),
        ]);
      });
    });

    it('throws on a second reserve with the same requestId, reserved or settled, changing nothing', async () => {
      const lines = [line('a', { limitNanos: 1000 })];
      const first = reservation({ amountNanos: 100 });
      await store.reserve(lines, first);
      await expect(store.reserve(lines, { ...first, amountNanos: 1 })).rejects.toThrow(/already exists/);
      await store.settle(first.requestId, { nanos: 80, tokens: 4 });
      await expect(store.reserve(lines, first)).rejects.toThrow(/already exists/);
      expect(await store.state(['a'])).toEqual([counters('a', 80, 0, 4, 0)]);
    });

    it('rejects malformed amounts with a RangeError before touching anything', async () => {
      const lines = [line('a', { limitNanos: 1000 })];
      await expect(store.reserve(lines, reservation({ amountNanos: 1.5 }))).rejects.toThrow(RangeError);
      await expect(store.reserve(lines, reservation({ tokens: -1 }))).rejects.toThrow(RangeError);
      await expect(store.reserve([line('a'), line('a')], reservation())).rejects.toThrow(/appears twice/);
      await expect(store.settle('x', { nanos: Number.MAX_SAFE_INTEGER + 1, tokens: 0 })).rejects.toThrow(
        RangeError,
      );
      expect(await store.state(['a'])).toEqual([counters('a')]);
    });

    describe('settle', () => {
      it('turns the reservation into the actual spend, above or below it, once', async () => {
        const lines = [line('a', { limitNanos: 1000 }), line('b', { hard: false })];
        const below = reservation({ amountNanos: 300, tokens: 30 });
        const above = reservation({ amountNanos: 300, tokens: 30 });
        await store.reserve(lines, below);
        await store.reserve(lines, above);
        expect(await store.settle(below.requestId, { nanos: 120, tokens: 12 })).toEqual([
          counters('a', 120, 300, 12, 30),
          counters('b', 120, 300, 12, 30),
        ]);
        // Spent is the truth even past the reservation (a provider that billed more than its max).
        await store.settle(above.requestId, { nanos: 450, tokens: 45 });
        expect(await store.settle(below.requestId, { nanos: 999, tokens: 99 })).toEqual([
          counters('a', 570, 0, 57, 0),
          counters('b', 570, 0, 57, 0),
        ]);
        expect(await store.state(['a', 'b'])).toEqual([
          counters('a', 570, 0, 57, 0),
          counters('b', 570, 0, 57, 0),
        ]);
      });

      it('returns [] and adds nothing for an unknown requestId', async () => {
        await store.reserve([line('a')], reservation());
        expect(await store.settle('never-reserved', { nanos: 500, tokens: 5 })).toEqual([]);
        expect(await store.state(['a'])).toEqual([counters('a', 0, 100, 0, 10)]);
      });

      it('still records the spend of a reservation that expire already released', async () => {
        const late = reservation({ amountNanos: 300, expiresAt: Date.now() + 1000 });
        await store.reserve([line('a', { limitNanos: 1000 })], late);
        expect(await store.expire(Date.now() + 2000)).toBe(1);
        expect(await store.state(['a'])).toEqual([counters('a')]);
        expect(await store.settle(late.requestId, { nanos: 250, tokens: 9 })).toEqual([
          counters('a', 250, 0, 9, 0),
        ]);
        expect(await store.settle(late.requestId, { nanos: 250, tokens: 9 })).toEqual([
          counters('a', 250, 0, 9, 0),
        ]);
      });
    });

    describe('expire', () => {
      it('releases exactly the reservations whose expiresAt has passed', async () => {
        const now = Date.now();
        const lines = [line('a', { limitNanos: 1000 })];
        await store.reserve(lines, reservation({ amountNanos: 100, expiresAt: now + 1000 }));
        await store.reserve(lines, reservation({ amountNanos: 200, expiresAt: now + 2000 }));
        await store.reserve(lines, reservation({ amountNanos: 400, expiresAt: now + 3000 }));
        expect(await store.expire(now + 2000)).toBe(2);
        expect(await store.state(['a'])).toEqual([counters('a', 0, 400, 0, 10)]);
        expect(await store.expire(now + 2000)).toBe(0);
      });

      it("frees a dead process's reservation for another instance", async () => {
        const doomed = await stores.open();
        const lines = [line('a', { limitNanos: 1000 })];
        await doomed.reserve(lines, reservation({ amountNanos: 1000, expiresAt: Date.now() + 1000 }));
        await doomed.close(); // the process died without settling
        const survivor = await stores.open();
        expect((await survivor.reserve(lines, reservation({ amountNanos: 1 }))).ok).toBe(false);
        expect(await survivor.expire(Date.now() + 1000)).toBe(1);
        expect(await survivor.reserve(lines, reservation({ amountNanos: 1000 }))).toMatchObject({ ok: true });
      });

      it('happens on reserve too, so overdue reservations never block a budget nobody expires', async () => {
        const lines = [line('a', { limitNanos: 1000 })];
        // Reserved by a process that died long ago: already overdue.
        await store.reserve(lines, reservation({ amountNanos: 1000, expiresAt: Date.now() - 1 }));
        expect(await store.reserve(lines, reservation({ amountNanos: 1000 }))).toMatchObject({ ok: true });
        expect(await store.state(['a'])).toEqual([counters('a', 0, 1000, 0, 10)]);
      });
    });

    describe('line expiry', () => {
      it('forgets a line whose expiresAt passed: zeros, then a fresh start with fresh alerts', async () => {
        const short = line('a', { limitNanos: 1000, expiresAt: Date.now() + 300 });
        const first = reservation({ amountNanos: 900 });
        await store.reserve([short], first);
        expect(await store.claimAlert('a', 80)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(await store.state(['a'])).toEqual([counters('a')]);
        expect(await store.claimAlert('a', 80)).toBe(false);
        // A late settle does not bring the dead line back.
        expect(await store.settle(first.requestId, { nanos: 10, tokens: 1 })).toEqual([counters('a')]);
        const next = line('a', { limitNanos: 1000 });
        expect(await store.reserve([next], reservation({ amountNanos: 1000 }))).toMatchObject({ ok: true });
        expect(await store.claimAlert('a', 80)).toBe(true);
      });
    });

    it("handles a 'total' line that never expires (expiresAt = Number.MAX_SAFE_INTEGER)", async () => {
      const total = line('total', { limitNanos: 1000, expiresAt: Number.MAX_SAFE_INTEGER });
      const call = reservation({ amountNanos: 600 });
      await store.reserve([total], call);
      await store.settle(call.requestId, { nanos: 500, tokens: 5 });
      expect(await store.expire(Date.now() + 1000)).toBe(0);
      expect(await store.state(['total'])).toEqual([counters('total', 500, 0, 5, 0)]);
      expect(await store.claimAlert('total', 50)).toBe(true);
    });

    describe('claimAlert', () => {
      it('is true once per line and threshold', async () => {
        await store.reserve([line('a'), line('b')], reservation());
        expect(await store.claimAlert('a', 50)).toBe(true);
        expect(await store.claimAlert('a', 50)).toBe(false);
        expect(await store.claimAlert('a', 80)).toBe(true);
        expect(await store.claimAlert('a', 12.5)).toBe(true);
        expect(await store.claimAlert('b', 50)).toBe(true);
        const other = await stores.open();
        expect(await other.claimAlert('a', 50)).toBe(false);
      });

      it('is false for a line with no counters: nothing can have crossed a threshold there', async () => {
        expect(await store.claimAlert('nobody', 50)).toBe(false);
      });

      it('picks exactly one of 50 concurrent claimers on 3 instances', async () => {
        await store.reserve([line('a')], reservation());
        const instances = [store, await stores.open(), await stores.open()];
        const claims = await Promise.all(
          Array.from({ length: 50 }, (_, index) => instances[index % 3]!.claimAlert('a', 100)),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
      });
    });

    it('keeps counters across instances and reopening', async () => {
      const held = reservation({ amountNanos: 250 });
      await store.reserve([line('a')], held);
      await store.close();
      const reopened = await stores.open();
      expect(await reopened.state(['a'])).toEqual([counters('a', 0, 250, 0, 10)]);
      expect(await reopened.settle(held.requestId, { nanos: 200, tokens: 2 })).toEqual([
        counters('a', 200, 0, 2, 0),
      ]);
    });

    storeConcurrencyCases(stores);
  });
}
