import { describe, expect, it } from 'vitest';
import type { BudgetStore, ReserveOutcome } from './budget-store.js';
import { counters, line, random, reservation } from './store-case-fixtures.js';

/*
 * Part of the budget store contract (budget-store.case.ts): the guarantee budgets exist for.
 * Many calls reserve their worst case at once, on one instance or several sharing the store,
 * and settle a lower actual cost; committed spend must never pass the hard limit.
 */

const cent = 10_000_000; // nano-dollars
const worst = 10 * cent;
const limit = 2_000 * cent;

export function storeConcurrencyCases(stores: { open(): Promise<BudgetStore> }): void {
  describe('under concurrency', () => {
    for (const instances of [1, 3]) {
      it(`commits at most $20.00 of 1,000 concurrent $0.10 calls, on ${instances} instance(s)`, async () => {
        const opened = await Promise.all(Array.from({ length: instances }, () => stores.open()));
        const next = random(instances);
        const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
        const lines = [line('daily', { limitNanos: limit }), line('everything', { hard: false })];
        const results = await Promise.all(
          Array.from(
            { length: 1000 },
            async (_, index): Promise<{ outcome: ReserveOutcome; actual: number }> => {
              const store = opened[index % instances]!;
              // Arrivals spread over ~100 ms and calls lasting 0-5 ms interleave reserves and settles,
              // so headroom a cheap settle gives back is reserved again mid-run.
              await sleep(index / 10);
              const call = reservation({ amountNanos: worst, tokens: 1000 });
              const outcome = await store.reserve(lines, call);
              if (!outcome.ok) return { outcome, actual: 0 };
              await sleep(next() * 5);
              const actual = 5 * cent + Math.floor(next() * (5 * cent + 1));
              await store.settle(call.requestId, { nanos: actual, tokens: 700 });
              return { outcome, actual };
            },
          ),
        );
        const accepted = results.filter((result) => result.outcome.ok);
        const committed = accepted.reduce((sum, result) => sum + result.actual, 0);
        expect(committed).toBeLessThanOrEqual(limit);
        // Every settle landed and nothing is left reserved.
        expect(await opened[0]!.state(['daily', 'everything'])).toEqual([
          counters('daily', committed, 0, 700 * accepted.length, 0),
          counters('everything', committed, 0, 700 * accepted.length, 0),
        ]);
        // At least the 200 worst cases that fit outright; settles below $0.10 usually make room for
        // ~65 more (how many depends on how the calls interleave, so it is not asserted).
        expect(accepted.length).toBeGreaterThanOrEqual(200);
        // As many as fit: each refusal saw a line with no room left for $0.10, each acceptance one with room.
        for (const { outcome } of results) {
          const seen = outcome.lines[0]!;
          if (outcome.ok) expect(seen.spentNanos + seen.reservedNanos).toBeLessThanOrEqual(limit);
          else expect(seen.spentNanos + seen.reservedNanos + worst).toBeGreaterThan(limit);
        }
      });
    }
  });
}
