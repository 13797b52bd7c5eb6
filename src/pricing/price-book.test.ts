import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeepPartial, LlmkitConfigInput } from '../config/config-schema.js';
import { ConfigError } from '../errors/index.js';
import type { Usage } from '../providers/types.js';
import { PriceBook, type PriceBookOptions } from './price-book.js';
import { testConfig } from './pricing-fixture.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function book(
  overrides: DeepPartial<LlmkitConfigInput> = {},
  options: PriceBookOptions = {},
  snapshot?: unknown,
) {
  const { config, home, remove } = testConfig(overrides);
  cleanups.push(remove);
  if (snapshot !== undefined) {
    mkdirSync(home, { recursive: true });
    writeFileSync(
      join(home, 'prices.json'),
      typeof snapshot === 'string' ? snapshot : JSON.stringify(snapshot),
    );
  }
  return new PriceBook(config, options);
}

const million: Usage = { inputTokens: 1_000_000, outputTokens: 1_000_000, totalTokens: 2_000_000 };
const usd = (dollars: number) => Math.round(dollars * 1e9);

describe('PriceBook', () => {
  it('costs an unknown model null, never $0, and warns once per model', () => {
    const unknown: string[] = [];
    const prices = book({}, { onUnknownModel: (provider, model) => unknown.push(`${provider}/${model}`) });
    for (let call = 0; call < 5; call++) {
      expect(prices.cost('openai', 'no-such-model', million)).toBeNull();
      expect(prices.cost('deepseek', 'deepseek-imaginary', million)).toBeNull();
    }
    expect(unknown).toEqual(['openai/no-such-model', 'deepseek/deepseek-imaginary']);
    expect(prices.lookup('openai', 'no-such-model')).toBeUndefined();
  });

  it('lets a config price beat the bundled data', () => {
    const prices = book({ prices: { 'openai/gpt-4o-mini': { input: 1, output: 2 } } });
    expect(prices.lookup('openai', 'gpt-4o-mini')).toMatchObject({
      source: 'config',
      price: { input: 1, output: 2 },
    });
    expect(prices.cost('openai', 'gpt-4o-mini', million)).toBe(usd(3));
  });

  it('applies a bare-model override to every provider, below a provider-specific one', () => {
    const prices = book({
      prices: { 'gpt-4o-mini': { input: 1, output: 1 }, 'azure-openai/gpt-4o-mini': { input: 5, output: 5 } },
    });
    expect(prices.cost('openai', 'gpt-4o-mini', million)).toBe(usd(2));
    expect(prices.cost('openrouter', 'gpt-4o-mini', million)).toBe(usd(2));
    expect(prices.cost('azure-openai', 'gpt-4o-mini', million)).toBe(usd(10));
  });

  it('prices tiers from the config', () => {
    const prices = book({
      prices: {
        'vllm/big-context': {
          input: 1,
          output: 4,
          cachedInput: 0.5,
          tiers: [
            { aboveInputTokens: 100_000, input: 2, output: 8 },
            { aboveInputTokens: 500_000, input: 3 },
          ],
        },
      },
    });
    const call = (inputTokens: number): Usage => ({
      inputTokens,
      outputTokens: 1000,
      totalTokens: inputTokens + 1000,
    });
    expect(prices.cost('vllm', 'big-context', call(100_000))).toBe(usd(0.1 + 0.004));
    expect(prices.cost('vllm', 'big-context', call(100_001))).toBe(usd(0.200002 + 0.008));
    // The top tier lists only input: output comes from the base, not from the tier below.
    expect(prices.cost('vllm', 'big-context', call(600_000))).toBe(usd(1.8 + 0.004));
  });

  it('costs self-hosted models 0 unless the config prices them', () => {
    const prices = book({ prices: { 'ollama/llama3.3:70b': { input: 0.2, output: 0.2 } } });
    for (const provider of ['ollama', 'vllm', 'llamacpp'])
      expect(prices.lookup(provider, 'some-model')).toMatchObject({ source: 'self-hosted' });
    expect(prices.cost('ollama', 'llama3.2', million)).toBe(0);
    expect(prices.cost('ollama', 'llama3.3:70b', million)).toBe(usd(0.4));
  });

  it("uses llmkit's own data for DashScope, with its source, and never another vendor's price", () => {
    const prices = book();
    const info = prices.lookup('dashscope', 'qwen-plus');
    expect(info).toMatchObject({ source: 'llmkit', price: { input: 0.4, output: 1.2 } });
    expect(info?.reference?.url).toMatch(/^https:\/\/www\.alibabacloud\.com\//);
    expect(prices.lookup('dashscope', 'QWEN-MAX')?.source).toBe('llmkit');
    // genai-prices knows deepseek-chat at DeepSeek, which is not what DashScope bills.
    expect(prices.lookup('dashscope', 'deepseek-chat')).toBeUndefined();
    expect(prices.lookup('siliconflow', 'deepseek-ai/DeepSeek-V3')).toBeUndefined();
  });

  it('reads the price in force at the time of the call (DeepSeek peak hours)', () => {
    let now = new Date('2026-11-24T02:00:00Z');
    const prices = book({}, { now: () => now });
    expect(prices.lookup('deepseek', 'deepseek-flash')?.price.output).toBe(1.2);
    now = new Date('2026-11-24T12:00:00Z');
    expect(prices.lookup('deepseek', 'deepseek-flash')?.price.output).toBe(0.6);
    // A retired name billed at the new model's price: llmkit's data beats the bundled genai-prices.
    expect(prices.lookup('deepseek', 'deepseek-v4-flash')).toMatchObject({ source: 'llmkit' });
  });

  it('prices a provider without a preset by its name, its base URL or its model', () => {
    const prices = book({
      providers: {
        gateway: { baseURL: 'http://127.0.0.1:4000/v1' },
        anthropic: { baseURL: 'https://api.anthropic.com/v1' },
        'my-together': { baseURL: 'https://api.together.xyz/v1' },
      },
    });
    expect(prices.lookup('gateway', 'gpt-4o-mini')?.source).toBe('genai-prices');
    expect(prices.lookup('gateway', 'made-up-model')).toBeUndefined();
    expect(prices.lookup('anthropic', 'claude-sonnet-4-6')?.price.input).toBe(3);
    // Found by its URL: Together's own rate for the model, as genai-prices has it.
    expect(prices.lookup('my-together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo')?.price.input).toBe(0.88);
  });

  it('reads limits from the config first, then from the price data', () => {
    const prices = book({
      models: { 'openai/gpt-4o-mini': { maxOutputTokens: 4096 }, 'my-model': { contextWindow: 8192 } },
    });
    expect(prices.limits('openai', 'gpt-4o-mini')).toEqual({ contextWindow: 128_000, maxOutputTokens: 4096 });
    expect(prices.limits('vllm', 'my-model')).toEqual({ contextWindow: 8192 });
    expect(prices.limits('openai', 'no-such-model')).toEqual({});
  });
});

describe('PriceBook with a downloaded snapshot', () => {
  const snapshot = [
    {
      id: 'openai',
      name: 'OpenAI',
      api_pattern: 'https://api\\.openai\\.com',
      models: [
        { id: 'gpt-4o-mini', match: { equals: 'gpt-4o-mini' }, prices: { input_mtok: 9, output_mtok: 9 } },
      ],
    },
    {
      id: 'deepseek',
      name: 'DeepSeek',
      api_pattern: 'https://api\\.deepseek\\.com',
      models: [
        {
          id: 'deepseek-flash',
          match: { starts_with: 'deepseek-flash' },
          prices: { input_mtok: 7, output_mtok: 7 },
          context_window: 1_048_576,
        },
      ],
    },
  ];

  it('prefers the snapshot to llmkit data and to the bundled data, and falls back for what it lacks', () => {
    const prices = book({}, {}, snapshot);
    expect(prices.lookup('openai', 'gpt-4o-mini')).toMatchObject({ source: 'snapshot', price: { input: 9 } });
    expect(prices.lookup('deepseek', 'deepseek-flash')).toMatchObject({
      source: 'snapshot',
      contextWindow: 1_048_576,
    });
    expect(prices.lookup('openai', 'gpt-4.1')?.source).toBe('genai-prices');
  });

  it('still lets the config win over the snapshot', () => {
    const prices = book({ prices: { 'gpt-4o-mini': { input: 1, output: 1 } } }, {}, snapshot);
    expect(prices.lookup('openai', 'gpt-4o-mini')?.source).toBe('config');
  });

  it('refuses a broken snapshot with a one-line ConfigError', () => {
    for (const broken of ['{ not json', JSON.stringify({ providers: [] }), JSON.stringify([{ id: 'x' }])]) {
      const attempt = () => book({}, {}, broken);
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/prices\.json is unusable: [^\n]+$/);
    }
  });
});
