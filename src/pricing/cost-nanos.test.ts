import { calcPrice } from '@pydantic/genai-prices';
import { afterAll, describe, expect, it } from 'vitest';
import type { Usage } from '../providers/types.js';
import { costNanos } from './cost-nanos.js';
import { PriceBook } from './price-book.js';
import { testConfig } from './pricing-fixture.js';

const at = new Date('2026-11-24T12:00:00Z');
const { config, remove } = testConfig({
  providers: {
    anthropic: { baseURL: 'https://api.anthropic.com/v1' },
    google: { baseURL: 'https://generativelanguage.googleapis.com/v1beta/openai' },
    perplexity: { baseURL: 'https://api.perplexity.ai' },
  },
});
afterAll(remove);
const book = new PriceBook(config, { now: () => at });

interface Row {
  /** As llmkit's config names it: provider/model. */
  target: string;
  /** What genai-prices calls the provider. */
  providerId: string;
  usage: Usage;
  cacheWriteTokens?: number;
}

const usage = (inputTokens: number, outputTokens: number, more: Partial<Usage> = {}): Usage => ({
  inputTokens,
  outputTokens,
  totalTokens: inputTokens + outputTokens,
  ...more,
});

const table: Row[] = [
  { target: 'openai/gpt-4o-mini', providerId: 'openai', usage: usage(1234, 567) },
  {
    target: 'openai/gpt-4o-mini',
    providerId: 'openai',
    usage: usage(1234, 567, { cachedInputTokens: 1024 }),
  },
  {
    target: 'openai/gpt-4o',
    providerId: 'openai',
    usage: usage(98_765, 4321, { cachedInputTokens: 50_000 }),
  },
  { target: 'openai/gpt-4o-2024-08-06', providerId: 'openai', usage: usage(2000, 300) },
  { target: 'openai/gpt-4.1', providerId: 'openai', usage: usage(777, 333, { cachedInputTokens: 256 }) },
  { target: 'openai/o3', providerId: 'openai', usage: usage(5000, 9000, { reasoningTokens: 8000 }) },
  // Tiered above 271,999 input tokens: both sides of the threshold.
  {
    target: 'openai/gpt-5.6-sol',
    providerId: 'openai',
    usage: usage(271_999, 1000, { cachedInputTokens: 1000 }),
  },
  {
    target: 'openai/gpt-5.6-sol',
    providerId: 'openai',
    usage: usage(272_000, 1000, { cachedInputTokens: 1000 }),
  },
  {
    target: 'azure-openai/gpt-4o',
    providerId: 'azure',
    usage: usage(4000, 500, { cachedInputTokens: 2048 }),
  },
  {
    target: 'deepseek/deepseek-chat',
    providerId: 'deepseek',
    usage: usage(10_000, 2000, { cachedInputTokens: 6000 }),
  },
  {
    target: 'deepseek/deepseek-v4-pro',
    providerId: 'deepseek',
    usage: usage(10_000, 2000, { cachedInputTokens: 8000 }),
  },
  {
    target: 'moonshot/kimi-k2.5',
    providerId: 'moonshotai',
    usage: usage(3000, 1500, { cachedInputTokens: 1000 }),
  },
  { target: 'moonshot/moonshot-v1-8k', providerId: 'moonshotai', usage: usage(3000, 1500) },
  { target: 'zhipu/GLM-4-Plus', providerId: 'zhipuai', usage: usage(3000, 1500, { cachedInputTokens: 200 }) },
  { target: 'zhipu/glm-4.7', providerId: 'zhipuai', usage: usage(3000, 1500) },
  {
    target: 'openrouter/openai/gpt-4o-mini',
    providerId: 'openrouter',
    usage: usage(1500, 700, { cachedInputTokens: 600 }),
  },
  { target: 'openrouter/anthropic/claude-3.5-sonnet', providerId: 'openrouter', usage: usage(1500, 700) },
  // Anthropic-style cache writes, tiered at 200,000 input tokens, on both sides.
  {
    target: 'anthropic/claude-sonnet-4-6',
    providerId: 'anthropic',
    usage: usage(200_000, 800, { cachedInputTokens: 150_000 }),
    cacheWriteTokens: 30_000,
  },
  {
    target: 'anthropic/claude-sonnet-4-6',
    providerId: 'anthropic',
    usage: usage(200_001, 800, { cachedInputTokens: 150_000 }),
    cacheWriteTokens: 30_000,
  },
  {
    target: 'google/gemini-2.5-pro',
    providerId: 'google',
    usage: usage(200_000, 4000, { cachedInputTokens: 100_000 }),
  },
  {
    target: 'google/gemini-2.5-pro',
    providerId: 'google',
    usage: usage(200_001, 4000, { cachedInputTokens: 100_000 }),
  },
  {
    target: 'google/gemini-2.5-flash',
    providerId: 'google',
    usage: usage(12_345, 678, { cachedInputTokens: 10_000 }),
  },
  // A fee per request on top of the tokens.
  { target: 'perplexity/sonar', providerId: 'perplexity', usage: usage(800, 400) },
];

function genaiNanos(row: Row): number {
  const [, ...rest] = row.target.split('/');
  const result = calcPrice(
    {
      input_tokens: row.usage.inputTokens,
      output_tokens: row.usage.outputTokens,
      cache_read_tokens: row.usage.cachedInputTokens ?? 0,
      cache_write_tokens: row.cacheWriteTokens ?? 0,
      output_reasoning_tokens: row.usage.reasoningTokens ?? 0,
    },
    rest.join('/'),
    { providerId: row.providerId, timestamp: at },
  );
  if (!result) throw new Error(`genai-prices has no price for ${row.target}`);
  return Math.round(result.total_price * 1e9);
}

describe('costNanos agrees with genai-prices calcPrice', () => {
  it.each(table)('$target $usage.inputTokens in, $usage.cachedInputTokens cached', (row) => {
    const [provider = '', ...rest] = row.target.split('/');
    const extra = row.cacheWriteTokens === undefined ? {} : { cacheWriteTokens: row.cacheWriteTokens };
    const nanos = book.cost(provider, rest.join('/'), row.usage, extra);
    expect(nanos).toBe(genaiNanos(row));
    expect(book.lookup(provider, rest.join('/'))?.source).toBe('genai-prices');
  });

  it('covers at least 15 models across at least 8 providers', () => {
    expect(new Set(table.map((row) => row.target)).size).toBeGreaterThanOrEqual(15);
    expect(new Set(table.map((row) => row.providerId)).size).toBeGreaterThanOrEqual(8);
  });

  it('changes price across the tier threshold', () => {
    const below = book.cost('google', 'gemini-2.5-pro', usage(200_000, 0))!;
    const above = book.cost('google', 'gemini-2.5-pro', usage(200_001, 0))!;
    // $1.25/M below, $2.50/M above: the whole prompt is billed at the tier's price.
    expect(below).toBe(250_000_000);
    expect(above).toBe(500_002_500);
  });
});

describe('costNanos arithmetic', () => {
  const price = { input: 0.15, output: 0.6 };

  it('sums a million small calls exactly, where float dollars drift', () => {
    const call = usage(7, 0);
    let nanos = 0;
    let dollars = 0;
    for (let index = 0; index < 1_000_000; index++) {
      nanos += costNanos(call, price);
      dollars += (7 * 0.15) / 1e6;
    }
    // 7 tokens × $0.15/M = 1,050 nano-dollars a call; a million calls are exactly $1.05.
    expect(nanos).toBe(1_050_000_000);
    expect(nanos).toBe(7 * 1_000_000 * 150);
    expect(dollars).not.toBe(1.05);
  });

  it('prices reasoning apart only when a reasoning price is set', () => {
    const call = usage(0, 1000, { reasoningTokens: 800 });
    expect(costNanos(call, { input: 1, output: 10 })).toBe(10_000_000);
    expect(costNanos(call, { input: 1, output: 10, reasoning: 2 })).toBe(2_000_000 + 1_600_000);
  });

  it('bills cached input at the input price when no cached price is set', () => {
    expect(costNanos(usage(1000, 0, { cachedInputTokens: 400 }), { input: 2, output: 0 })).toBe(2_000_000);
    expect(
      costNanos(usage(1000, 0, { cachedInputTokens: 400 }), { input: 2, cachedInput: 0.5, output: 0 }),
    ).toBe(1_200_000 + 200_000);
  });

  it('rounds half-up once, at the end', () => {
    // 1 token at $0.0005/M is 0.5 nano-dollars; 3 tokens are 1.5.
    expect(costNanos(usage(1, 0), { input: 0.0005, output: 0 })).toBe(1);
    expect(costNanos(usage(3, 0), { input: 0.0005, output: 0 })).toBe(2);
    expect(costNanos(usage(2, 0), { input: 0.0004, output: 0 })).toBe(1);
  });

  it('never lets odd usage make a cost negative', () => {
    expect(
      costNanos(usage(10, 10, { cachedInputTokens: 50, reasoningTokens: 99 }), {
        input: 1,
        output: 1,
        reasoning: 1,
      }),
    ).toBe(20_000);
  });
});
