import { z } from 'zod';

/*
 * The genai-prices data format (its `data.json`, also what `llmkit prices update` downloads),
 * validated as far as llmkit reads it: provider and model ids, match rules, the token price
 * keys and their tiers, and price constraints. Other keys pass through untouched, so newer
 * data with prices for things llmkit does not meter (audio, searches) still loads.
 */

export type MatchLogic =
  | { and: MatchLogic[] }
  | { or: MatchLogic[] }
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string };

const text = z.string();
export const matchLogicSchema: z.ZodType<MatchLogic> = z.lazy(() =>
  z.union([
    z.object({ and: z.array(matchLogicSchema) }),
    z.object({ or: z.array(matchLogicSchema) }),
    z.object({ equals: text }),
    z.object({ starts_with: text }),
    z.object({ ends_with: text }),
    z.object({ contains: text }),
    z.object({ regex: text }),
  ]),
);

const amount = z.number().finite().min(0);
const tieredSchema = z.object({
  base: amount,
  tiers: z.array(z.object({ start: z.number().int().min(0), price: amount })),
});
const priceValue = z.union([amount, tieredSchema]);
export type PriceValue = z.output<typeof priceValue>;

/** The price keys llmkit meters; see `toModelPrice` for what each becomes. */
export const meteredPriceKeys = [
  'input_mtok',
  'output_mtok',
  'cache_read_mtok',
  'cache_write_mtok',
  'output_reasoning_mtok',
  'requests_kcount',
] as const;
export type MeteredPriceKey = (typeof meteredPriceKeys)[number];

export const dataPriceSchema = z.looseObject(
  Object.fromEntries(meteredPriceKeys.map((key) => [key, priceValue.optional()])) as Record<
    MeteredPriceKey,
    z.ZodOptional<typeof priceValue>
  >,
);
export type DataPrice = z.output<typeof dataPriceSchema>;

const clock = /^\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
// Older data omits `type`; genai-prices infers it from the fields, and so does llmkit.
const constraintSchema = z.union([
  z.object({ type: z.literal('start_date').optional(), start_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  z.object({
    type: z.literal('time_of_date').optional(),
    start_time: z.string().regex(clock),
    end_time: z.string().regex(clock),
  }),
]);
export type PriceConstraint = z.output<typeof constraintSchema>;

const conditionalPriceSchema = z.object({ constraint: constraintSchema.optional(), prices: dataPriceSchema });
export type ConditionalDataPrice = z.output<typeof conditionalPriceSchema>;

export const dataModelSchema = z.looseObject({
  id: text,
  match: matchLogicSchema,
  prices: z.union([dataPriceSchema, z.array(conditionalPriceSchema).min(1)]),
  context_window: z.number().int().positive().optional(),
});
export type DataModel = z.output<typeof dataModelSchema>;

export const dataProviderSchema = z.looseObject({
  id: text.min(1),
  /** A regex for the API's base URL. */
  api_pattern: text.optional(),
  models: z.array(dataModelSchema),
  provider_match: matchLogicSchema.optional(),
  model_match: matchLogicSchema.optional(),
  fallback_model_providers: z.array(text).optional(),
});
export type DataProvider = z.output<typeof dataProviderSchema>;

export const providerListSchema = z.array(dataProviderSchema).min(1, { error: 'has no providers' });
