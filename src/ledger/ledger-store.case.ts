import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LlmkitError } from '../errors/llmkit-error.js';
import type { AttemptRow, CallLookup, CallRow, GroupBy, LedgerStore, SummaryRow } from './ledger-store.js';
import { schemaVersion } from './schema-version.js';

/*
 * The contract every ledger backend meets, run by sqlite-ledger.test.ts and
 * postgres-ledger.test.ts against a fresh database each test (hono's common.case.test.ts style).
 */

export interface LedgerStoreHarness {
  /** Opens (or reopens) the store on this harness's database. */
  open(): Promise<LedgerStore & CallLookup>;
  /** Writes meta.schema_version directly, as a newer llmkit would. */
  setSchemaVersion(version: number): Promise<void>;
  /** Removes the database (file or schema). */
  destroy(): Promise<void>;
}

const isLedgerError = (error: unknown) => LlmkitError.isInstance(error) && error.code === 'ledger';

const march9 = Date.UTC(2024, 2, 9);
const hour = 3_600_000;

export function callRow(overrides: Partial<CallRow> & { requestId: string }): CallRow {
  return {
    startedAt: march9,
    provider: 'openai',
    model: 'gpt-4o',
    tags: [],
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costNanos: 0,
    latencyMs: 10,
    status: 'ok',
    streamed: false,
    usageSource: 'provider',
    attempts: 1,
    ...overrides,
  };
}

export function attemptRow(
  requestId: string,
  attempt: number,
  overrides: Partial<AttemptRow> = {},
): AttemptRow {
  return {
    requestId,
    attempt,
    startedAt: march9,
    provider: 'openai',
    model: 'gpt-4o',
    status: 'ok',
    latencyMs: 5,
    ...overrides,
  };
}

// Four calls that differ in every grouped field. c and d sit either side of midnight in
// Shanghai (UTC+8) but on the same UTC day.
const a = callRow({
  requestId: 'a',
  startedAt: march9 + hour,
  gatewayKey: 'k1',
  project: 'p1',
  tags: ['alpha', 'beta'],
  user: 'u1',
  inputTokens: 100,
  outputTokens: 10,
  cachedInputTokens: 5,
  costNanos: 1500,
});
const b = callRow({
  requestId: 'b',
  startedAt: march9 + 2 * hour,
  model: 'gpt-4o-mini',
  gatewayKey: 'k2',
  project: 'p1',
  tags: ['alpha'],
  user: 'u2',
  inputTokens: 200,
  outputTokens: 20,
  reasoningTokens: 7,
  costNanos: null,
  status: 'error',
  errorClass: 'RateLimitError',
  usageSource: 'estimated',
});
const c = callRow({
  requestId: 'c',
  startedAt: march9 + 16 * hour - 1,
  provider: 'anthropic',
  model: 'claude',
  inputTokens: 300,
  outputTokens: 30,
  costNanos: 2500,
  status: 'aborted',
  usageSource: 'none',
});
const d = callRow({
  requestId: 'd',
  startedAt: march9 + 16 * hour,
  provider: 'anthropic',
  model: 'claude',
  gatewayKey: 'k1',
  project: 'p2',
  tags: ['beta'],
  user: 'u1',
  inputTokens: 400,
  outputTokens: 40,
  cachedInputTokens: 10,
  reasoningTokens: 3,
  costNanos: 7,
  usageSource: 'estimated',
});
const fixture = [a, b, c, d];

/** What a summary row over `calls` must say, computed plainly from the rows. */
function expected(group: string, calls: CallRow[]): SummaryRow {
  const sum = (pick: (call: CallRow) => number) => calls.reduce((total, call) => total + pick(call), 0);
  return {
    group,
    calls: calls.length,
    errors: calls.filter((call) => call.status === 'error').length,
    inputTokens: sum((call) => call.inputTokens),
    outputTokens: sum((call) => call.outputTokens),
    cachedInputTokens: sum((call) => call.cachedInputTokens),
    reasoningTokens: sum((call) => call.reasoningTokens),
    costNanos: sum((call) => call.costNanos ?? 0),
    unpricedCalls: calls.filter((call) => call.costNanos === null).length,
    estimatedCalls: calls.filter((call) => call.usageSource === 'estimated').length,
    cacheHits: calls.filter((call) => call.cache === 'hit').length,
  };
}

function totalsOf(calls: CallRow[]): Omit<SummaryRow, 'group'> {
  const { group: _group, ...totals } = expected('', calls);
  return totals;
}
const wholeDay = { since: march9, until: march9 + 24 * hour };

const groupings: [GroupBy, [string, CallRow[]][]][] = [
  [
    'provider',
    [
      ['anthropic', [c, d]],
      ['openai', [a, b]],
    ],
  ],
  [
    'model',
    [
      ['claude', [c, d]],
      ['gpt-4o', [a]],
      ['gpt-4o-mini', [b]],
    ],
  ],
  [
    'key',
    [
      ['', [c]],
      ['k1', [a, d]],
      ['k2', [b]],
    ],
  ],
  [
    'tag',
    [
      ['', [c]],
      ['alpha', [a, b]],
      ['beta', [a, d]],
    ],
  ],
  [
    'user',
    [
      ['', [c]],
      ['u1', [a, d]],
      ['u2', [b]],
    ],
  ],
  [
    'project',
    [
      ['', [c]],
      ['p1', [a, b]],
      ['p2', [d]],
    ],
  ],
  [
    'status',
    [
      ['aborted', [c]],
      ['error', [b]],
      ['ok', [a, d]],
    ],
  ],
  ['day', [['2024-03-09', fixture]]],
];

export function ledgerStoreCases(name: string, createHarness: () => Promise<LedgerStoreHarness>): void {
  describe(`${name} ledger store contract`, () => {
    let harness: LedgerStoreHarness;
    let store: LedgerStore & CallLookup;

    beforeEach(async () => {
      harness = await createHarness();
      store = await harness.open();
    });
    afterEach(async () => {
      await store.close();
      await harness.destroy();
    });

    it('reads back every field of a call and its attempts, also after reopening', async () => {
      const attempts = [
        attemptRow('b', 1, { status: 'error', httpStatus: 429, errorClass: 'RateLimitError', ttftMs: 3 }),
        attemptRow('b', 2, { status: 'error', httpStatus: 429, upstreamRequestId: 'req_upstream' }),
      ];
      await store.write({ calls: [a, b, { ...c, ttftMs: 42, streamed: true, cache: 'hit' }], attempts });
      await store.close();
      store = await harness.open();
      expect(await store.findCall('a')).toEqual({ call: a, attempts: [] });
      expect(await store.findCall('b')).toEqual({ call: b, attempts });
      expect((await store.findCall('c'))?.call).toEqual({ ...c, ttftMs: 42, streamed: true, cache: 'hit' });
      expect(await store.findCall('missing')).toBeUndefined();
    });

    it('bills a re-sent call once and keeps its first attempts', async () => {
      const first = { calls: [a], attempts: [attemptRow('a', 1), attemptRow('a', 2)] };
      await store.write(first);
      await store.write(first);
      await store.write({ calls: [{ ...a, costNanos: 999_999 }, a], attempts: [attemptRow('a', 3)] });
      const summary = await store.summary({ ...wholeDay, groupBy: 'model' });
      expect(summary.totals).toMatchObject({ calls: 1, costNanos: a.costNanos });
      expect((await store.findCall('a'))?.attempts.map((row) => row.attempt)).toEqual([1, 2]);
    });

    it.each(groupings)('groups by %s', async (groupBy, groups) => {
      await store.write({ calls: fixture, attempts: [] });
      const summary = await store.summary({ ...wholeDay, groupBy });
      expect(summary.rows).toEqual(groups.map(([group, calls]) => expected(group, calls)));
      // Totals count each call once, even when tags count it in two rows.
      expect(summary.totals).toEqual(totalsOf(fixture));
    });

    it('buckets days in the given time zone, at local midnight', async () => {
      await store.write({ calls: fixture, attempts: [] });
      const shanghai = await store.summary({ ...wholeDay, groupBy: 'day', timeZone: 'Asia/Shanghai' });
      expect(shanghai.rows).toEqual([expected('2024-03-09', [a, b, c]), expected('2024-03-10', [d])]);
    });

    it('buckets days across a daylight saving change (a 23-hour day in New York)', async () => {
      // 2024-03-10 runs from 05:00Z (EST) to 04:00Z next day (EDT).
      const times = [
        Date.UTC(2024, 2, 10, 5) - 1,
        Date.UTC(2024, 2, 10, 5),
        Date.UTC(2024, 2, 11, 4) - 1,
        Date.UTC(2024, 2, 11, 4),
      ];
      const calls = times.map((startedAt, index) => callRow({ requestId: `ny${index}`, startedAt }));
      await store.write({ calls, attempts: [] });
      const summary = await store.summary({
        since: Date.UTC(2024, 2, 9),
        until: Date.UTC(2024, 2, 12),
        groupBy: 'day',
        timeZone: 'America/New_York',
      });
      expect(summary.rows.map((row) => [row.group, row.calls])).toEqual([
        ['2024-03-09', 1],
        ['2024-03-10', 2],
        ['2024-03-11', 1],
      ]);
    });

    it('counts [since, until): the start included, the end excluded', async () => {
      const since = march9 + 5 * hour;
      const until = since + 1000;
      const calls = [since - 1, since, until - 1, until].map((startedAt, index) =>
        callRow({ requestId: `edge${index}`, startedAt, costNanos: 10 ** index }),
      );
      await store.write({ calls, attempts: [] });
      const summary = await store.summary({ since, until, groupBy: 'provider' });
      expect(summary.totals).toMatchObject({ calls: 2, costNanos: 110 });
    });

    it('filters by provider and by model', async () => {
      await store.write({ calls: fixture, attempts: [] });
      const openai = await store.summary({ ...wholeDay, groupBy: 'model', provider: 'openai' });
      expect(openai.rows.map((row) => row.group)).toEqual(['gpt-4o', 'gpt-4o-mini']);
      const claude = await store.summary({ ...wholeDay, groupBy: 'provider', model: 'claude' });
      expect(claude.rows).toEqual([expected('anthropic', [c, d])]);
    });

    it('keeps unpriced calls out of the cost instead of counting them as free', async () => {
      await store.write({ calls: fixture, attempts: [] });
      const summary = await store.summary({ ...wholeDay, groupBy: 'model' });
      expect(summary.rows.find((row) => row.group === 'gpt-4o-mini')).toMatchObject({
        costNanos: 0,
        unpricedCalls: 1,
        estimatedCalls: 1,
      });
      expect(summary.totals).toMatchObject({
        costNanos: 1500 + 2500 + 7,
        unpricedCalls: 1,
        estimatedCalls: 2,
      });
      expect((await store.findCall('b'))?.call.costNanos).toBeNull();
    });

    it('returns no rows and zero totals for an empty range', async () => {
      await store.write({ calls: fixture, attempts: [] });
      const summary = await store.summary({ since: 0, until: march9, groupBy: 'tag' });
      expect(summary).toEqual({ rows: [], totals: totalsOf([]) });
    });

    it('sums 100,000 costs of 7 nano-dollars to exactly 700,000', async () => {
      for (let start = 0; start < 100_000; start += 10_000) {
        const calls = Array.from({ length: 10_000 }, (_, index) =>
          callRow({ requestId: `bulk${start + index}`, startedAt: march9 + start + index, costNanos: 7 }),
        );
        await store.write({ calls, attempts: [] });
      }
      const summary = await store.summary({ ...wholeDay, groupBy: 'day' });
      expect(summary.totals).toMatchObject({ calls: 100_000, costNanos: 700_000 });
      expect(summary.rows).toHaveLength(1);
    });

    it('adds large costs exactly and refuses a total it cannot return exactly', async () => {
      const big = 4_000_000_000_000_001; // $4M in nano-dollars, odd so float rounding would show
      const calls = [0, 1, 2].map((index) =>
        callRow({ requestId: `big${index}`, model: index === 2 ? 'other' : 'gpt-4o', costNanos: big }),
      );
      await store.write({ calls, attempts: [] });
      const twoOfThem = await store.summary({ ...wholeDay, groupBy: 'model', model: 'gpt-4o' });
      expect(twoOfThem.totals.costNanos).toBe(8_000_000_000_000_002);
      await expect(store.summary({ ...wholeDay, groupBy: 'model' })).rejects.toThrow(/too large/);
    });

    it('refuses bad rows and queries before touching the database', async () => {
      await expect(
        store.write({ calls: [callRow({ requestId: 'x', costNanos: 1.5 })], attempts: [] }),
      ).rejects.toThrow(RangeError);
      await expect(store.write({ calls: [], attempts: [attemptRow('orphan', 1)] })).rejects.toThrow(
        /not in the batch/,
      );
      await expect(store.summary({ ...wholeDay, groupBy: 'weekday' as GroupBy })).rejects.toThrow(
        /unknown groupBy/,
      );
      await expect(store.summary({ ...wholeDay, groupBy: 'day', timeZone: 'Mars/Olympus' })).rejects.toThrow(
        /unknown time zone/,
      );
    });

    it('refuses a ledger written by a newer llmkit', async () => {
      await store.write({ calls: [a], attempts: [] });
      await store.close();
      await harness.setSchemaVersion(99);
      const opening = harness.open();
      // By brand, not instanceof: the store under test may come from the built package (dist).
      await expect(opening).rejects.toSatisfy(isLedgerError);
      await expect(opening).rejects.toThrow(new RegExp(`schema version 99, newer than the ${schemaVersion}`));
      await harness.setSchemaVersion(schemaVersion);
      store = await harness.open();
      expect(await store.findCall('a')).toBeDefined();
    });
  });
}
