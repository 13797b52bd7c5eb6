import { describe, expect, it } from 'vitest';
import type { AlertEvent, ThresholdEvent } from '../../src/alerts/alert-event.js';
import { formatAlert, formatAmount } from '../../src/alerts/format-alert.js';
import { testEvent, thresholdAlert } from './alert-fixtures.js';

const threshold = thresholdAlert as ThresholdEvent;

describe('formatAmount', () => {
  it.each([
    [16, '$16.00'],
    [16.5, '$16.50'],
    [1234.5, '$1,234.50'],
    [0.0042, '$0.0042'],
    [0.123456789, '$0.123457'],
    [0, '$0.00'],
  ])('%d → %s', (usd, text) => {
    expect(formatAmount(usd)).toBe(text);
  });
});

describe('threshold alerts', () => {
  it('English', () => {
    const { title, text } = formatAlert(thresholdAlert, 'en');
    expect(title).toBe('Budget alert: daily-global at 80% ($16.00 / $20.00)');
    expect(text).toContain(
      'Budget "daily-global" (scope global, per day) has used 80% of its limit, crossing the 80% threshold.',
    );
    expect(text).toContain('Spent: $16.00 of $20.00');
    expect(text).toContain('Period started: 2026-11-03T00:00:00.000Z');
    expect(text).not.toContain('refused');
  });

  it('Chinese', () => {
    const { title, text } = formatAlert(thresholdAlert, 'zh');
    expect(title).toBe('预算提醒：daily-global 已用 80%（$16.00 / $20.00）');
    expect(text).toContain('预算「daily-global」（范围 global，周期 day）已用 80%，超过 80% 提醒线。');
    expect(text).toContain('已花费：$16.00，上限 $20.00');
  });

  it('at 100% or more a hard budget says calls are refused, a soft one that they continue', () => {
    const over: ThresholdEvent = { ...threshold, threshold: 100, spentUsd: 21.5, percent: 107.5 };
    expect(formatAlert(over, 'en').title).toBe('Budget exceeded: daily-global at 107.5% ($21.50 / $20.00)');
    expect(formatAlert(over, 'en').text).toContain(
      'calls that do not fit are refused until the period resets',
    );
    expect(formatAlert(over, 'zh').title).toBe('预算超限：daily-global 已用 107.5%（$21.50 / $20.00）');
    expect(formatAlert(over, 'zh').text).toContain('超出的调用将被拒绝');
    const soft: ThresholdEvent = { ...over, budget: { ...over.budget, mode: 'soft' } };
    expect(formatAlert(soft, 'en').text).toContain('This is a soft budget: calls continue.');
    expect(formatAlert(soft, 'zh').text).toContain('这是软预算：调用不受影响。');
  });

  it('a token-only budget shows tokens; the percentage is rounded down', () => {
    const tokens: ThresholdEvent = {
      ...threshold,
      budget: {
        name: 'nightly',
        scope: 'tag:nightly',
        period: 'day',
        periodStart: threshold.budget.periodStart,
        limitTokens: 1_000_000,
        mode: 'soft',
      },
      spentTokens: 999_600,
      percent: 99.96,
    };
    expect(formatAlert(tokens, 'en').title).toBe(
      'Budget alert: nightly at 99.9% (999,600 / 1,000,000 tokens)',
    );
    expect(formatAlert(tokens, 'en').text).toContain('Tokens: 999,600 of 1,000,000');
    expect(formatAlert(tokens, 'zh').title).toBe(
      '预算提醒：nightly 已用 99.9%（999,600 / 1,000,000 tokens）',
    );
  });
});

describe('test and daily summary alerts', () => {
  it('a test alert in both languages', () => {
    expect(formatAlert(testEvent, 'en').title).toBe('llmkit test alert');
    expect(formatAlert(testEvent, 'en').text).toContain('this channel works');
    expect(formatAlert(testEvent, 'zh').title).toBe('llmkit 测试提醒');
    expect(formatAlert(testEvent, 'zh').text).toContain('收到即说明该通道配置正确');
  });

  const summary: AlertEvent = {
    kind: 'daily-summary',
    date: '2026-11-03',
    totalUsd: 12.3456,
    calls: 1_204,
    byModel: [
      { model: 'openai/gpt-4o', usd: 10, calls: 200 },
      { model: 'deepseek/deepseek-chat', usd: 2.3456, calls: 1_004 },
    ],
    at: '2026-11-04T00:05:00.000Z',
  };

  it('a daily summary lists each model', () => {
    const english = formatAlert(summary, 'en');
    expect(english.title).toBe('LLM spend on 2026-11-03: $12.3456 in 1,204 calls');
    expect(english.text.split('\n').slice(0, 2)).toEqual([
      '- openai/gpt-4o: $10.00 (200 calls)',
      '- deepseek/deepseek-chat: $2.3456 (1,004 calls)',
    ]);
    const chinese = formatAlert(summary, 'zh');
    expect(chinese.title).toBe('2026-11-03 大模型用量：$12.3456，共 1,204 次调用');
    expect(chinese.text).toContain('- openai/gpt-4o：$10.00（200 次）');
  });

  it('a day without calls says so', () => {
    const empty: AlertEvent = { ...summary, totalUsd: 0, calls: 0, byModel: [] } as AlertEvent;
    expect(formatAlert(empty, 'en').text).toContain('No calls were recorded.');
    expect(formatAlert(empty, 'zh').text).toContain('当天没有调用记录。');
  });
});
