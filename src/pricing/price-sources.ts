import type { PriceConfig } from '../config/cost-schema.js';
import { type LlmkitPriceEntry, llmkitPrices } from './data/llmkit-prices.js';
import type { ComponentPrices, ModelPrice, PriceInfo, PriceTier } from './model-price.js';
import type { PriceCatalog } from './price-catalog.js';
import { dataPriceAt, findDataModel } from './price-data-match.js';
import { toModelPrice } from './to-model-price.js';

/** The price info of one model at a given moment; prices may change with the date or hour. */
export type PriceResolver = (at: Date) => PriceInfo | undefined;

/**
 * The entry for `provider/model`, else for the bare `model`; an exact key first, then one that
 * differs only in case (model ids are case-insensitive at most providers: `GLM-4-Plus`).
 */
export function keyedEntry<T>(
  entries: Readonly<Record<string, T>>,
  provider: string,
  model: string,
): T | undefined {
  for (const key of [`${provider}/${model}`, model]) {
    if (Object.hasOwn(entries, key)) return entries[key];
    const lower = key.toLowerCase();
    const found = Object.keys(entries).find((candidate) => candidate.toLowerCase() === lower);
    if (found !== undefined) return entries[found];
  }
  return undefined;
}

function definedComponents(prices: Partial<Record<keyof ComponentPrices, number | undefined>>) {
  const result: Partial<ComponentPrices> = {};
  for (const [key, value] of Object.entries(prices) as Array<[keyof ComponentPrices, number | undefined]>)
    if (value !== undefined) result[key] = value;
  return result;
}

export function fromConfig(config: PriceConfig): ModelPrice {
  const { tiers, ...components } = config;
  const price: ModelPrice = { ...definedComponents(components), input: config.input, output: config.output };
  if (tiers !== undefined) {
    price.tiers = tiers.map(
      ({ aboveInputTokens, ...listed }): PriceTier => ({ aboveInputTokens, ...definedComponents(listed) }),
    );
  }
  return price;
}

export function constant(info: PriceInfo): PriceResolver {
  return () => info;
}

/** A model of genai-prices data (bundled or snapshot), resolved to the price in force at each moment. */
export function dataResolver(
  catalog: PriceCatalog,
  source: 'snapshot' | 'genai-prices',
  providerId: string | undefined,
  target: { provider: string; model: string; baseURL: string | undefined },
): PriceResolver | undefined {
  const { provider, model, baseURL } = target;
  // A provider without a preset: its name, else where it lives, else whose models it serves.
  const dataProvider =
    providerId !== undefined
      ? catalog.provider({ providerId })
      : (catalog.provider({ providerId: provider }) ??
        (baseURL === undefined ? undefined : catalog.provider({ providerApiUrl: baseURL })) ??
        catalog.provider({ modelId: model }));
  const dataModel = dataProvider && findDataModel(dataProvider, model, (id) => catalog.byId(id));
  if (dataModel === undefined) return undefined;
  return (at) => {
    const price = toModelPrice(dataPriceAt(dataModel, at));
    // An audio- or image-only model prices no tokens: unknown for a chat call, never $0.
    if (price === undefined) return undefined;
    const info: PriceInfo = { price, source };
    if (dataModel.context_window !== undefined) info.contextWindow = dataModel.context_window;
    return info;
  };
}

function minutesOfDay(clock: string): number {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}

function inPeak(entry: LlmkitPriceEntry, at: Date): boolean {
  const now = at.getUTCHours() * 60 + at.getUTCMinutes();
  return (entry.peak?.windowsUtc ?? []).some(
    ([start, end]) => now >= minutesOfDay(start) && now < minutesOfDay(end),
  );
}

/** llmkit's own figures for a preset's model. */
export function llmkitResolver(preset: string | undefined, model: string): PriceResolver | undefined {
  const id = model.toLowerCase();
  const entry = llmkitPrices.find(
    (candidate) => candidate.preset === preset && candidate.models.some((name) => name.toLowerCase() === id),
  );
  if (entry === undefined) return undefined;
  return (at) => {
    const info: PriceInfo = {
      price: entry.peak && inPeak(entry, at) ? entry.peak.price : entry.price,
      source: 'llmkit',
      reference: { url: entry.source, checked: entry.checked, ...(entry.note ? { note: entry.note } : {}) },
    };
    if (entry.contextWindow !== undefined) info.contextWindow = entry.contextWindow;
    if (entry.maxOutputTokens !== undefined) info.maxOutputTokens = entry.maxOutputTokens;
    return info;
  };
}
