import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { ConfigError } from '../errors/index.js';

/** Bad price overrides are the config schema's to catch: one line naming the key, before any call. */
function loadError(prices: Record<string, unknown>): ConfigError {
  try {
    loadConfig({ env: {}, envFile: false, overrides: { prices } as never });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the prices');
}

describe('price overrides in the config', () => {
  it.each([
    ['a negative price', { 'openai/gpt-4o': { input: -1, output: 1 } }, /prices\.openai\/gpt-4o\.input/],
    ['a price that is not a number', { 'gpt-4o': { input: 'cheap', output: 1 } }, /prices\.gpt-4o\.input/],
    ['a missing output price', { 'gpt-4o': { input: 1 } }, /prices\.gpt-4o\.output/],
    ['a negative tier threshold', { m: { input: 1, output: 1, tiers: [{ aboveInputTokens: -5 }] } }, /tiers/],
    ['a misspelt component', { m: { input: 1, output: 1, cachedInptu: 0.5 } }, /cachedInptu/],
  ])('reject %s in one line', (_case, prices, where) => {
    const error = loadError(prices);
    expect(error.message).toMatch(where);
    expect(error.message).not.toContain('\n');
  });

  it('accept a valid override', () => {
    const { config } = loadConfig({
      env: {},
      envFile: false,
      overrides: { prices: { 'openai/gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 } } },
    });
    expect(config.prices['openai/gpt-4o']).toEqual({ input: 2.5, output: 10, cachedInput: 1.25 });
  });
});
