import type { ComponentPrices, ModelPrice, PriceTier } from './model-price.js';
import type { DataPrice, MeteredPriceKey, PriceValue } from './price-data-schema.js';

/*
 * genai-prices prices each component separately, each with its own optional tiers; llmkit's
 * tiers list every tiered component at each threshold. The conversion is exact: at every
 * distinct threshold, each tiered component takes the price genai-prices would use just above
 * it. Keys llmkit does not meter (audio, images, web searches) are left out: llmkit's usage
 * never reports them, so genai-prices would price them at zero too.
 */

const componentOf: Record<MeteredPriceKey, keyof ComponentPrices> = {
  input_mtok: 'input',
  output_mtok: 'output',
  cache_read_mtok: 'cachedInput',
  cache_write_mtok: 'cacheWrite',
  output_reasoning_mtok: 'reasoning',
  requests_kcount: 'perThousandRequests',
};

const converted = new WeakMap<DataPrice, ModelPrice | null>();

function priceAbove(value: PriceValue, threshold: number): number {
  if (typeof value === 'number') return value;
  // genai-prices sorts a component's tiers and keeps the last one the prompt is above.
  let best: { start: number; price: number } | undefined;
  for (const tier of value.tiers)
    if (threshold >= tier.start && (!best || tier.start >= best.start)) best = tier;
  return best?.price ?? value.base;
}

function basePrice(value: PriceValue | undefined): number | undefined {
  return value === undefined || typeof value === 'number' ? value : value.base;
}

/** llmkit's form of a genai-prices price; undefined when it prices no tokens (an audio-only model). */
export function toModelPrice(data: DataPrice): ModelPrice | undefined {
  const cached = converted.get(data);
  if (cached !== undefined) return cached ?? undefined;
  const entries = (Object.keys(componentOf) as MeteredPriceKey[])
    .map((key) => [key, data[key]] as const)
    .filter((entry): entry is readonly [MeteredPriceKey, PriceValue] => entry[1] !== undefined);
  let result: ModelPrice | null = null;
  if (data.input_mtok !== undefined || data.output_mtok !== undefined) {
    // A missing input or output price means genai-prices charges nothing for those tokens.
    const price: ModelPrice = {
      input: basePrice(data.input_mtok) ?? 0,
      output: basePrice(data.output_mtok) ?? 0,
    };
    for (const [key, value] of entries) price[componentOf[key]] = basePrice(value) ?? 0;
    const thresholds = new Set<number>();
    for (const [, value] of entries)
      if (typeof value !== 'number') for (const tier of value.tiers) thresholds.add(tier.start);
    if (thresholds.size > 0) {
      price.tiers = [...thresholds]
        .sort((a, b) => a - b)
        .map((threshold) => {
          const tier: PriceTier = { aboveInputTokens: threshold };
          for (const [key, value] of entries)
            if (typeof value !== 'number') tier[componentOf[key]] = priceAbove(value, threshold);
          return tier;
        });
    }
    result = price;
  }
  converted.set(data, result);
  return result ?? undefined;
}
