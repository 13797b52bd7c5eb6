import type { PresetName } from '../../config/presets.js';
import type { ModelPrice } from '../model-price.js';

/**
 * Prices llmkit ships for models its presets reach but genai-prices lacks (or has out of date).
 * Every entry names the official page its figures come from and the day they were read there;
 * a model whose price could not be confirmed on such a page is left out, so it costs null
 * (unknown) rather than a guess. llmkit-prices.test.ts fails on an entry without both.
 */
export interface LlmkitPriceEntry {
  /** The preset whose endpoint bills these prices. */
  preset: PresetName;
  /** Model ids, matched case-insensitively; the first is the name shown. */
  models: readonly string[];
  /** USD per 1M tokens. */
  price: ModelPrice;
  /** Daily windows, in UTC (`HH:MM`), when `price` gives way to a peak price. */
  peak?: { windowsUtc: ReadonlyArray<readonly [string, string]>; price: ModelPrice };
  contextWindow?: number;
  maxOutputTokens?: number;
  /** The provider's own page the figures were read from. */
  source: string;
  /** The day the figures were read, `YYYY-MM-DD`. */
  checked: string;
  /** What the figures do not cover, shown by `llmkit prices show`. */
  note?: string;
}

const qwenBilling = 'https://www.alibabacloud.com/help/en/model-studio/billing-for-model-studio';
const qwenNote =
  'International (Singapore) list price from the page version of 2025-04-22, which gives the lowest rate ' +
  'of each model; thinking-mode output and long-context tiers bill more, and the Beijing endpoint bills ' +
  'in CNY: set "prices" in the config if you use those. Cached input is 40% of input, per the same page.';

const deepseekPricing = 'https://api-docs.deepseek.com/quick_start/pricing';

export const llmkitPrices: readonly LlmkitPriceEntry[] = [
  {
    preset: 'dashscope',
    models: ['qwen-max'],
    price: { input: 1.6, cachedInput: 0.64, output: 6.4 },
    source: qwenBilling,
    checked: '2026-11-24',
    note: qwenNote,
  },
  {
    preset: 'dashscope',
    models: ['qwen-plus'],
    price: { input: 0.4, cachedInput: 0.16, output: 1.2 },
    source: qwenBilling,
    checked: '2026-11-24',
    note: qwenNote,
  },
  {
    preset: 'dashscope',
    models: ['qwen-turbo'],
    price: { input: 0.05, cachedInput: 0.02, output: 0.2 },
    source: qwenBilling,
    checked: '2026-11-24',
    note: qwenNote,
  },
  {
    preset: 'deepseek',
    // The page: the retired V4 Flash names are served by V4.1 Flash and billed at its price.
    models: ['deepseek-flash', 'deepseek-v4-flash', 'deepseek-v4-flash-vision-exp'],
    price: { input: 0.15, cachedInput: 0.003, output: 0.6 },
    peak: {
      windowsUtc: [
        ['01:00', '04:00'],
        ['06:00', '10:00'],
      ],
      price: { input: 0.3, cachedInput: 0.006, output: 1.2 },
    },
    source: deepseekPricing,
    checked: '2026-11-24',
    note:
      'Off-peak price; from 01:00 to 04:00 and 06:00 to 10:00 UTC the peak price (twice as much) applies. ' +
      'Those are Beijing weekday hours: weekends and Chinese holidays are off-peak all day, which is not ' +
      'modelled, so their peak hours are priced as peak (an upper bound).',
  },
  {
    preset: 'zhipu',
    models: ['glm-4-flash', 'glm-4-flash-250414'],
    price: { input: 0, output: 0 },
    source: 'https://docs.bigmodel.cn/cn/guide/models/text/glm-4',
    checked: '2026-11-24',
    note: 'The page calls GLM-4-Flash a free model.',
  },
];
