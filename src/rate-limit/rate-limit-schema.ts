import { z } from 'zod';
import { scopeKinds } from '../budget/budget-schema.js';

const scopeMessage = `must be "global" or one of ${scopeKinds.map((kind) => `"${kind}:<name>"`).join(', ')}`;
const countMessage = 'must be a whole number > 0';
const perMinute = z
  .number({ error: countMessage })
  .int({ error: countMessage })
  .min(1, { error: countMessage });

export const rateLimitRuleSchema = z
  .strictObject(
    {
      /** Names the limit in errors, metrics and its shared counter; defaults to the scope. */
      name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
      /** `global`, `key:team-a`, `model:openai/gpt-4o`, `provider:deepseek`, `project:x`, `user:u-7`, `tag:nightly`. */
      scope: z
        .string({ error: scopeMessage })
        .regex(new RegExp(`^(global|(${scopeKinds.join('|')}):.+)$`), { error: scopeMessage }),
      /** Requests admitted per minute (sliding), across every call in scope. */
      rpm: perMinute.optional(),
      /** Tokens per minute (sliding): input plus max_tokens at admission, corrected to the actual total. */
      tpm: perMinute.optional(),
    },
    { error: 'must be an object' },
  )
  .refine((rule) => rule.rpm !== undefined || rule.tpm !== undefined, { error: 'needs rpm or tpm' });

export const rateLimitsSchema = z.strictObject(
  {
    /** `memory` counts in this process; `redis` shares the counters between instances. */
    store: z.enum(['memory', 'redis'], { error: 'must be "memory" or "redis"' }).default('memory'),
    /** e.g. redis://127.0.0.1:6379/0; default `budgetSettings.redisUrl` (env LLMKIT_REDIS_URL). */
    redisUrl: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
    /** When the Redis store cannot be asked: `open` lets calls through unlimited, `closed` refuses them. */
    failMode: z.enum(['open', 'closed'], { error: 'must be "open" or "closed"' }).default('open'),
    /** Limits by scope, shared by every call in scope; a key's own rpm/tpm apply on top. */
    rules: z
      .array(rateLimitRuleSchema, { error: 'must be a list of rate limits' })
      .default(() => [])
      .superRefine((rules, context) => {
        // Names key the counters, so two rules may not share one.
        const seen = new Set<string>();
        rules.forEach((rule, index) => {
          const name = rule.name ?? rule.scope;
          if (seen.has(name)) {
            context.addIssue({
              code: 'custom',
              path: [index, 'name'],
              message: `repeats the rate limit name "${name}"; give each rule its own name`,
            });
          }
          seen.add(name);
        });
      }),
  },
  { error: 'must be an object' },
);

export type RateLimitRule = z.output<typeof rateLimitRuleSchema>;
export type RateLimitSettings = z.output<typeof rateLimitsSchema>;
