import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DailySummaryEvent } from './alert-event.js';
import { scheduleDailySummary } from './daily-summary.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => vi.useRealTimers());

const summary = {
  rows: [
    {
      group: 'deepseek-chat',
      calls: 3,
      errors: 0,
      inputTokens: 10,
      outputTokens: 20,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      costNanos: 1_500_000_000,
      unpricedCalls: 0,
      estimatedCalls: 0,
      cacheHits: 0,
    },
  ],
  totals: {
    calls: 3,
    errors: 0,
    inputTokens: 10,
    outputTokens: 20,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costNanos: 1_500_000_000,
    unpricedCalls: 0,
    estimatedCalls: 0,
    cacheHits: 0,
  },
};

describe('scheduleDailySummary', () => {
  it('sends yesterday’s spend at the configured local time, every day', async () => {
    vi.setSystemTime(new Date('2026-11-24T00:30:00Z')); // 08:30 in Shanghai
    const sent: DailySummaryEvent[] = [];
    const ranges: Array<[string, string]> = [];
    const stop = scheduleDailySummary({
      at: '09:00',
      timeZone: 'Asia/Shanghai',
      summarize: async (since, until) => {
        ranges.push([new Date(since).toISOString(), new Date(until).toISOString()]);
        return summary;
      },
      send: (event) => sent.push(event),
      onError: (error) => {
        throw error;
      },
    });
    await vi.advanceTimersByTimeAsync(29 * 60_000);
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      kind: 'daily-summary',
      date: '2026-11-23',
      totalUsd: 1.5,
      calls: 3,
      byModel: [{ model: 'deepseek-chat', usd: 1.5, calls: 3 }],
    });
    expect(ranges[0]).toEqual(['2026-11-22T16:00:00.000Z', '2026-11-23T16:00:00.000Z']);
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(sent.map((event) => event.date)).toEqual(['2026-11-23', '2026-11-24']);
    stop();
    await vi.advanceTimersByTimeAsync(48 * 3_600_000);
    expect(sent).toHaveLength(2);
  });
});
