import { describe, expect, it } from 'vitest';
import { attemptColumnNames, attemptToColumns, callColumnNames, callToColumns } from './ledger-columns.js';
import { attemptRow, callRow } from './ledger-store.case.js';
import { encodeSqliteBatch } from './sqlite-batch.js';

const sqliteValue = (value: string | number | boolean | null) =>
  typeof value === 'boolean' ? Number(value) : value;

describe('encodeSqliteBatch', () => {
  it('lays out every column in the order of the column lists, calls then attempts', () => {
    const full = callRow({
      requestId: 'full',
      gatewayKey: 'k',
      project: 'p',
      user: 'u',
      tags: ['b', 'a', 'b'],
      inputTokens: 1,
      outputTokens: 2,
      cachedInputTokens: 3,
      reasoningTokens: 4,
      costNanos: 5,
      ttftMs: 6,
      status: 'error',
      errorClass: 'RateLimitError',
      streamed: true,
      cache: 'hit',
      usageSource: 'estimated',
      attempts: 2,
    });
    const bare = callRow({ requestId: 'bare', costNanos: null });
    const attempts = [
      attemptRow('full', 1, {
        httpStatus: 429,
        errorClass: 'RateLimitError',
        ttftMs: 7,
        upstreamRequestId: 'up',
      }),
      attemptRow('full', 2),
    ];
    const encoded = encodeSqliteBatch({ calls: [full, bare], attempts });
    const callValues = (call: typeof full) => {
      const columns = callToColumns(call);
      return callColumnNames.map((name) => sqliteValue(columns[name]));
    };
    const attemptValues = (attempt: (typeof attempts)[number]) => {
      const columns = attemptToColumns(attempt);
      return attemptColumnNames.map((name) => columns[name]);
    };
    expect(encoded).toEqual({
      calls: 2,
      attempts: 2,
      values: [...callValues(full), ...callValues(bare), ...attempts.flatMap(attemptValues)],
    });
  });
});
