import { z } from 'zod';
import { assertTimeZone } from './budget-period.js';

export const periods = ['hour', 'day', 'week', 'month', 'total'] as const;
export const scopeKinds = ['provider', 'model', 'key', 'project', 'tag', 'user'] as const;

const scopeMessage = `must be "global" or one of ${scopeKinds.map((kind) => `"${kind}:<name>"`).join(', ')}`;
const usdMessage = 'must be a number of USD >= 0';
const countMessage = 'must be a whole number > 0';

export const budgetSchema = z
  .strictObject(
    {
      /** Names the budget in errors, alerts and `llmkit budget status`; defaults to scope and period. */
      name: z.string({ error: 'must be a string' }).min(1).optional(),
      /** `global`, or `provider:deepseek`, `model:openai/gpt-4o`, `key:team-a`, `project:search`, `tag:nightly`, `user:u-7`. */
      scope: z
        .string({ error: scopeMessage })
        .regex(new RegExp(`^(global|(${scopeKinds.join('|')}):.+)$`), { error: scopeMessage }),
      period: z.enum(periods, { error: `must be one of ${periods.join(', ')}` }),
      limitUsd: z
        .number({ error: usdMessage })
        .finite({ error: usdMessage })
        .min(0, { error: usdMessage })
        .optional(),
      limitTokens: z
        .number({ error: countMessage })
        .int({ error: countMessage })
        .min(1, { error: countMessage })
        .optional(),
      /** `hard` refuses what does not fit; `soft` lets it through and alerts. */
      mode: z.enum(['hard', 'soft'], { error: 'must be "hard" or "soft"' }).default('hard'),
      /** Hard budgets: `refuse` the call, or `clamp` its max tokens to what still fits. */
      onExceed: z.enum(['refuse', 'clamp'], { error: 'must be "refuse" or "clamp"' }).default('refuse'),
      /** Percentages of the limit that alert, each once per period. */
      thresholds: z
        .array(z.number({ error: 'must be a percentage' }).min(1).max(1000), {
          error: 'must be a list of percentages',
        })
        .default(() => [50, 80, 100]),
      /** Alert channel names; all configured channels when omitted. */
      channels: z.array(z.string(), { error: 'must be a list of channel names' }).optional(),
    },
    { error: 'must be an object' },
  )
  .refine((budget) => budget.limitUsd !== undefined || budget.limitTokens !== undefined, {
    error: 'needs limitUsd or limitTokens',
  });

export const budgetSettingsSchema = z.strictObject(
  {
    /** Calendar boundaries of hour/day/week/month periods. */
    timeZone: z
      .string({ error: 'must be an IANA time zone such as UTC or Asia/Shanghai' })
      .refine(assertTimeZone, { error: 'must be an IANA time zone such as UTC or Asia/Shanghai' })
      .default('UTC'),
    store: z.enum(['sqlite', 'redis'], { error: 'must be "sqlite" or "redis"' }).default('sqlite'),
    /** SQLite file; default `<home>/budgets.db`. */
    path: z.string().min(1).optional(),
    /** e.g. redis://127.0.0.1:6379/0 (env LLMKIT_REDIS_URL). */
    redisUrl: z.string().min(1).optional(),
    /** A reservation never settled (its process died) is released after this. */
    reservationTtlMs: z.number().int().min(1_000, { error: 'must be at least 1000' }).default(900_000),
    /** When the store is unreachable: refuse (`closed`) or allow (`open`) calls under hard budgets. */
    hardFailMode: z.enum(['closed', 'open'], { error: 'must be "closed" or "open"' }).default('closed'),
    /** Output tokens assumed (and enforced as max_tokens) when a call under a hard budget sets none and the model's limit is unknown. */
    defaultMaxOutputTokens: z.number().int().min(1).default(4_096),
  },
  { error: 'must be an object' },
);

/** Budget names key their counters, so two budgets may not share one. */
export const budgetsSchema = z
  .array(budgetSchema, { error: 'must be a list of budgets' })
  .superRefine((list, context) => {
    const seen = new Set<string>();
    list.forEach((budget, index) => {
      const name = budget.name ?? `${budget.scope}/${budget.period}`;
      if (seen.has(name)) {
        context.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `repeats the budget name "${name}"; give each budget its own name`,
        });
      }
      seen.add(name);
    });
  });

export type BudgetConfig = z.output<typeof budgetSchema>;
export type BudgetSettings = z.output<typeof budgetSettingsSchema>;
export type Period = (typeof periods)[number];
