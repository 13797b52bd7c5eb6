import { z } from 'zod';

/*
 * Config for what calls cost and where they are recorded: price overrides, model limits and
 * the usage ledger. Prices are USD per 1M tokens, as every provider's price page states them.
 */

const usdMessage = 'must be a number of USD per 1M tokens, >= 0';
const usdPerMillion = z
  .number({ error: usdMessage })
  .finite({ error: usdMessage })
  .min(0, { error: usdMessage });
const countMessage = 'must be a whole number > 0';
const count = z.number({ error: countMessage }).int({ error: countMessage }).min(1, { error: countMessage });
const startMessage = 'must be a whole number >= 0';

const componentPrices = {
  input: usdPerMillion.optional(),
  output: usdPerMillion.optional(),
  /** Input tokens served from the provider's prompt cache. */
  cachedInput: usdPerMillion.optional(),
  /** Input tokens written to the prompt cache (Anthropic-style cache writes). */
  cacheWrite: usdPerMillion.optional(),
  /** Reasoning tokens, when billed apart from output (most providers bill them as output). */
  reasoning: usdPerMillion.optional(),
};

export const priceTierSchema = z.strictObject(
  {
    /** The tier applies when the prompt has more input tokens than this (Gemini-style long-context pricing). */
    aboveInputTokens: z
      .number({ error: startMessage })
      .int({ error: startMessage })
      .min(0, { error: startMessage }),
    ...componentPrices,
  },
  { error: 'must be an object' },
);

export const priceSchema = z.strictObject(
  {
    ...componentPrices,
    input: usdPerMillion,
    output: usdPerMillion,
    tiers: z.array(priceTierSchema, { error: 'must be a list of tiers' }).optional(),
  },
  { error: 'must be an object with input and output USD per 1M tokens' },
);

export const modelLimitsSchema = z.strictObject(
  {
    contextWindow: count.optional(),
    maxOutputTokens: count.optional(),
  },
  { error: 'must be an object' },
);

export const ledgerSchema = z.strictObject(
  {
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    backend: z.enum(['sqlite', 'postgres'], { error: 'must be "sqlite" or "postgres"' }).default('sqlite'),
    /** SQLite file; default `<home>/llmkit.db`. */
    path: z.string({ error: 'must be a string' }).min(1).optional(),
    /** PostgreSQL connection string, e.g. postgres://user@127.0.0.1:5432/llmkit. */
    url: z.string({ error: 'must be a string' }).min(1).optional(),
    /** Rows waiting to be written; when full, calls wait for room instead of dropping rows. */
    queueSize: count.default(10_000),
    flushIntervalMs: count.default(100),
    /** `buffered` writes in batches off the call path; `sync` commits each call before it returns. */
    durability: z.enum(['buffered', 'sync'], { error: 'must be "buffered" or "sync"' }).default('buffered'),
  },
  { error: 'must be an object' },
);

export type PriceConfig = z.output<typeof priceSchema>;
export type PriceTierConfig = z.output<typeof priceTierSchema>;
export type ModelLimitsConfig = z.output<typeof modelLimitsSchema>;
export type LedgerConfig = z.output<typeof ledgerSchema>;
