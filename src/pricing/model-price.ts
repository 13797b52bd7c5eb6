/** Prices of one model, in USD per 1M tokens as price pages state them. */
export interface ComponentPrices {
  /** Input tokens not served from the cache. */
  input: number;
  /** Output tokens; reasoning tokens too unless `reasoning` prices them apart. */
  output: number;
  /** Input tokens served from the prompt cache; `input` when unset. */
  cachedInput?: number;
  /** Input tokens written to the prompt cache; `input` when unset. */
  cacheWrite?: number;
  /** Reasoning tokens, when billed apart from the rest of the output. */
  reasoning?: number;
  /** USD per 1,000 requests, for providers that add a fee per call (Perplexity). Not per 1M tokens. */
  perThousandRequests?: number;
}

/**
 * A tier replaces the components it lists when the prompt has more than `aboveInputTokens`
 * input tokens (cached ones included); of several, the one with the greatest threshold below
 * the prompt's size applies. Same rule as genai-prices' tiered prices.
 */
export type PriceTier = { aboveInputTokens: number } & Partial<ComponentPrices>;

export interface ModelPrice extends ComponentPrices {
  tiers?: PriceTier[];
}

export type PriceSource = 'config' | 'snapshot' | 'llmkit' | 'genai-prices' | 'self-hosted';

export interface PriceInfo {
  /** The price in force now (prices can depend on the date or the time of day). */
  price: ModelPrice;
  source: PriceSource;
  contextWindow?: number;
  maxOutputTokens?: number;
  /** Where llmkit's own figures come from and when they were read. */
  reference?: { url: string; checked: string; note?: string };
}

export interface ModelLimits {
  contextWindow?: number;
  maxOutputTokens?: number;
}
