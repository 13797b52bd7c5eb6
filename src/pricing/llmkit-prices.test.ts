import { afterAll, describe, expect, it } from 'vitest';
import { isPresetName } from '../config/presets.js';
import { llmkitPrices } from './data/llmkit-prices.js';
import { PriceBook } from './price-book.js';
import { testConfig } from './pricing-fixture.js';

const { config, remove } = testConfig();
afterAll(remove);
const book = new PriceBook(config);
const today = new Date().toISOString().slice(0, 10);

describe("llmkit's own price data", () => {
  it.each(llmkitPrices.map((entry) => [entry.models[0] ?? '(no model)', entry] as const))(
    '%s names the page its figures come from and the day they were read',
    (_name, entry) => {
      expect(entry.source).toMatch(/^https:\/\/[^\s/]+\/\S*$/);
      expect(entry.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isNaN(Date.parse(entry.checked))).toBe(false);
      expect(entry.checked <= today).toBe(true);
      expect(isPresetName(entry.preset)).toBe(true);
      expect(entry.models.length).toBeGreaterThan(0);
    },
  );

  it('is what the price book answers for those models', () => {
    for (const entry of llmkitPrices)
      for (const model of entry.models) {
        const info = book.lookup(entry.preset, model);
        expect(info?.source, `${entry.preset}/${model}`).toBe('llmkit');
        expect(info?.reference).toMatchObject({ url: entry.source, checked: entry.checked });
      }
  });

  it('lists no model twice for one preset', () => {
    const names = llmkitPrices.flatMap((entry) =>
      entry.models.map((model) => `${entry.preset}/${model.toLowerCase()}`),
    );
    expect(new Set(names).size).toBe(names.length);
  });
});
