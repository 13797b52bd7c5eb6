import { z } from 'zod';

/*
 * A route is a model name callers use (`fast`), mapped to weighted targets and ordered
 * fallbacks. Each leaf carries its own message, read after the key path
 * (`routes.fast.targets.0.weight must be a number > 0`). Checks that need the rest of the
 * config (known providers, aliases, other routes) are in `checkRoutes`.
 */

const envNameMessage = 'must be an environment variable name such as OPENAI_API_KEY_2';
const positiveMessage = 'must be a whole number > 0';
const positive = z
  .number({ error: positiveMessage })
  .int({ error: positiveMessage })
  .min(1, { error: positiveMessage });
const wholeMessage = 'must be a whole number >= 0';

const targetModel = z
  .string({ error: 'must be a "provider/model" string such as "openai/gpt-4o-mini"' })
  .regex(/^[^/\s]+\/\S+$/, { error: 'must be "provider/model", such as "openai/gpt-4o-mini"' });

export const routeTargetSchema = z.strictObject(
  {
    /** `provider/model`, with a configured provider. */
    model: targetModel,
    /** Share of calls this target gets as the first choice, relative to its neighbours. */
    weight: z
      .number({ error: 'must be a number > 0' })
      .positive({ error: 'must be a number > 0' })
      .max(1_000_000, { error: 'must be a number > 0 and at most 1000000' })
      .default(1),
    /** Builds the provider with the key in this variable instead of the provider's own. */
    apiKeyEnv: z
      .string({ error: envNameMessage })
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: envNameMessage })
      .optional(),
  },
  { error: 'must be an object such as { model: "openai/gpt-4o-mini", weight: 1 }' },
);

export const routeSchema = z.strictObject(
  {
    targets: z
      .array(routeTargetSchema, { error: 'must be a list of targets' })
      .min(1, { error: 'must list at least one target' })
      // Selection keeps the targets tried in a call in a 32-bit mask.
      .max(32, { error: 'must list at most 32 targets' }),
    /** Tried in order once every target failed: `provider/model` or another route's name. */
    fallbacks: z
      .array(z.string({ error: 'must be a "provider/model" or a route name' }).min(1), {
        error: 'must be a list of "provider/model" or route names',
      })
      .default(() => []),
    /** Caps `retry.maxRetries` for each target of this route, so a failing one is left sooner. */
    maxRetriesPerTarget: z
      .number({ error: wholeMessage })
      .int({ error: wholeMessage })
      .min(0, { error: wholeMessage })
      .optional(),
  },
  { error: 'must be an object with targets: [{ model: "provider/model" }]' },
);

export const routesSchema = z.record(z.string(), routeSchema, { error: 'must be an object' });

export const breakerSchema = z.strictObject(
  {
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    /** Failed attempts within `windowMs` that open a target's breaker. */
    failureThreshold: positive.default(5),
    windowMs: positive.default(60_000),
    /** How long an open breaker keeps calls away before one probe call is let through. */
    cooldownMs: positive.default(30_000),
  },
  { error: 'must be an object' },
);

export const routingSchema = z.strictObject(
  { breaker: breakerSchema.prefault({}) },
  { error: 'must be an object' },
);

export type RouteConfig = z.output<typeof routeSchema>;
export type RouteTargetConfig = z.output<typeof routeTargetSchema>;
export type BreakerSettings = z.output<typeof breakerSchema>;
export type RoutingSettings = z.output<typeof routingSchema>;
