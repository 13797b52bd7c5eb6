import type { LlmkitConfig } from '../config/config-schema.js';
import { isPresetName, type PresetName } from '../config/presets.js';
import type { Usage } from '../providers/types.js';
import { type CostExtra, costNanos } from './cost-nanos.js';
import type { ModelLimits, PriceInfo } from './model-price.js';
import { bundledCatalog, listCatalog, type PriceCatalog } from './price-catalog.js';
import { readPriceSnapshot, snapshotPath } from './price-snapshot.js';
import {
  constant,
  dataResolver,
  fromConfig,
  keyedEntry,
  llmkitResolver,
  type PriceResolver,
} from './price-sources.js';
import { genaiPricesProviderIds, selfHostedPresets } from './provider-ids.js';

export interface PriceBookOptions {
  /** Called once per provider/model whose calls cost null because no price is known. */
  onUnknownModel?: (provider: string, model: string) => void;
  /** The clock prices are read at: some change with the date or the time of day. */
  now?: () => Date;
}

/**
 * What calls cost, from local data only (prices are never fetched at run time). Sources, first
 * found wins: the config's `prices`, the snapshot `llmkit prices update` wrote, llmkit's own
 * data, genai-prices' bundled data, and 0 for servers on the user's machine. A model none of
 * them knows costs null, never $0.
 */
export class PriceBook {
  private readonly config: LlmkitConfig;
  private readonly snapshot: PriceCatalog | undefined;
  private readonly onUnknownModel: ((provider: string, model: string) => void) | undefined;
  private readonly now: () => Date;
  private readonly resolvers = new Map<string, PriceResolver>();
  private readonly warned = new Set<string>();

  constructor(config: LlmkitConfig, options: PriceBookOptions = {}) {
    this.config = config;
    this.onUnknownModel = options.onUnknownModel;
    this.now = options.now ?? (() => new Date());
    const snapshot = readPriceSnapshot(snapshotPath(config.home));
    this.snapshot = snapshot === undefined ? undefined : listCatalog(snapshot);
  }

  /** The price in force now and where it comes from; undefined when no source knows the model. */
  lookup(provider: string, model: string): PriceInfo | undefined {
    return this.resolver(provider, model)(this.now());
  }

  /** Integer nano-dollars; null when the model has no known price (onUnknownModel fires once per model). */
  cost(provider: string, model: string, usage: Usage, extra: CostExtra = {}): number | null {
    const info = this.lookup(provider, model);
    if (info === undefined) {
      const key = `${provider}/${model}`;
      if (!this.warned.has(key)) {
        this.warned.add(key);
        this.onUnknownModel?.(provider, model);
      }
      return null;
    }
    return costNanos(usage, info.price, extra);
  }

  /** Context window and output limit: the config's `models` first, then the price data. */
  limits(provider: string, model: string): ModelLimits {
    const configured = keyedEntry(this.config.models, provider, model);
    const info = this.lookup(provider, model);
    const limits: ModelLimits = {};
    const contextWindow = configured?.contextWindow ?? info?.contextWindow;
    const maxOutputTokens = configured?.maxOutputTokens ?? info?.maxOutputTokens;
    if (contextWindow !== undefined) limits.contextWindow = contextWindow;
    if (maxOutputTokens !== undefined) limits.maxOutputTokens = maxOutputTokens;
    return limits;
  }

  private resolver(provider: string, model: string): PriceResolver {
    const key = `${provider}\n${model}`;
    let resolver = this.resolvers.get(key);
    if (resolver === undefined) {
      const candidates = this.candidates(provider, model);
      resolver = (at) => {
        for (const candidate of candidates) {
          const info = candidate(at);
          if (info !== undefined) return info;
        }
        return undefined;
      };
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }

  /** Every source that has the model, highest first. */
  private candidates(provider: string, model: string): PriceResolver[] {
    const candidates: Array<PriceResolver | undefined> = [];
    const configured = keyedEntry(this.config.prices, provider, model);
    if (configured !== undefined)
      candidates.push(constant({ price: fromConfig(configured), source: 'config' }));
    const declared = this.config.providers[provider]?.preset;
    const preset: PresetName | undefined = declared ?? (isPresetName(provider) ? provider : undefined);
    // A preset genai-prices does not cover is never priced from another vendor serving the same id.
    const dataPrices = preset === undefined || genaiPricesProviderIds[preset] !== undefined;
    const providerId = preset === undefined ? undefined : genaiPricesProviderIds[preset];
    const target = { provider, model, baseURL: this.config.providers[provider]?.baseURL };
    if (this.snapshot && dataPrices)
      candidates.push(dataResolver(this.snapshot, 'snapshot', providerId, target));
    candidates.push(llmkitResolver(preset, model));
    if (dataPrices) candidates.push(dataResolver(bundledCatalog, 'genai-prices', providerId, target));
    if (preset !== undefined && selfHostedPresets.has(preset))
      candidates.push(constant({ price: { input: 0, output: 0 }, source: 'self-hosted' }));
    return candidates.filter((candidate) => candidate !== undefined);
  }
}
