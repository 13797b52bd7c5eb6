import { z } from 'zod';
import { alertsSchema } from '../alerts/alerts-schema.js';
import { budgetSettingsSchema, budgetsSchema } from '../budget/budget-schema.js';
import { cacheSchema } from '../cache/cache-schema.js';
import { gatewaySchema } from '../gateway/gateway-schema.js';
import { guardRuleSchema, guardrailsSchema } from '../guard/guard-schema.js';
import { rateLimitRuleSchema, rateLimitsSchema } from '../rate-limit/rate-limit-schema.js';
import { checkRoutes } from '../routing/check-routes.js';
import {
  breakerSchema,
  routeSchema,
  routesSchema,
  routeTargetSchema,
  routingSchema,
} from '../routing/routes-schema.js';
import { ledgerSchema, modelLimitsSchema, priceSchema, priceTierSchema } from './cost-schema.js';
import { presetNames, structuredOutputModes } from './presets.js';

/*
 * Every leaf carries its own message so a failed check reads as a sentence after the key
 * path (`retry.maxRetries must be a whole number >= 0`), whatever zod check failed.
 */

const wholeNumberMessage = 'must be a whole number >= 0';
const positiveNumberMessage = 'must be a whole number > 0';

export const wholeNumber = z
  .number({ error: wholeNumberMessage })
  .int({ error: wholeNumberMessage })
  .min(0, { error: wholeNumberMessage });

export const positiveWholeNumber = z
  .number({ error: positiveNumberMessage })
  .int({ error: positiveNumberMessage })
  .min(1, { error: positiveNumberMessage });

const text = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' });

const flag = z.boolean({ error: 'must be true or false' });

const urlMessage = 'must be an http(s) URL such as https://api.example.com/v1';
export const httpURL = z
  .string({ error: urlMessage })
  .regex(/^https?:\/\/[^\s/]+\S*$/i, { error: urlMessage });

const stringRecord = z.record(z.string(), z.string({ error: 'must be a string' }), {
  error: 'must be an object of strings',
});

// Provider names are the prefix of `provider/model`, so they cannot contain a slash.
const providerName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export const logLevel = z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` });

export const providerSchema = z.strictObject(
  {
    preset: z.enum(presetNames, { error: `must be one of ${presetNames.join(', ')}` }).optional(),
    /** May contain `{model}`, replaced per call (Azure deployment URLs). */
    baseURL: httpURL,
    apiKeyEnv: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name such as MY_API_KEY' })
      .optional(),
    apiKeyFile: text.optional(),
    apiKeyRequired: flag,
    authHeader: z.enum(['authorization', 'api-key'], { error: 'must be "authorization" or "api-key"' }),
    /** How `generateObject` enforces a schema with this provider; see docs/structured-output.md. */
    structuredOutput: z.enum(structuredOutputModes, {
      error: `must be one of ${structuredOutputModes.join(', ')}`,
    }),
    headers: stringRecord.default(() => ({})),
    query: stringRecord.default(() => ({})),
    models: z.array(text, { error: 'must be a list of model names' }).optional(),
  },
  { error: 'must be an object' },
);

export const retrySchema = z.strictObject(
  {
    maxRetries: wholeNumber.default(2),
    baseDelayMs: wholeNumber.default(500),
    maxDelayMs: wholeNumber.default(8000),
    /** The longest server-requested wait (retry-after) honoured; a longer one fails at once. */
    maxRetryAfterMs: wholeNumber.default(60_000),
  },
  { error: 'must be an object' },
);

export const timeoutsSchema = z.strictObject(
  {
    totalMs: positiveWholeNumber.default(600_000),
    firstTokenMs: positiveWholeNumber.default(120_000),
    idleMs: positiveWholeNumber.default(60_000),
  },
  { error: 'must be an object' },
);

export const logSchema = z.strictObject(
  {
    level: logLevel.default('info'),
    // The CLI keeps stderr to warnings so answers on stdout stay clean; the file gets `level`.
    stderrLevel: logLevel.default('warn'),
    file: text.optional(),
    pretty: z
      .union([z.literal('auto'), z.boolean()], { error: 'must be "auto", true or false' })
      .default('auto'),
    debugHttp: flag.default(false),
    /**
     * Adds the input messages and the output text to each call's log line. Off by default: prompts
     * often hold personal data. `redact` guard rules apply before, `mask-logs` rules here.
     */
    content: flag.default(false),
  },
  { error: 'must be an object' },
);

export const streamSchema = z.strictObject(
  {
    // Far above any real SSE line, low enough that a runaway upstream cannot exhaust memory.
    maxLineBytes: positiveWholeNumber.default(8 * 1024 * 1024),
  },
  { error: 'must be an object' },
);

export const configSchema = z
  .strictObject({
    defaultProvider: text.default('openai'),
    defaultModel: text.optional(),
    home: text.default('./.llmkit'),
    providers: z.record(providerName, providerSchema, { error: 'must be an object' }).default(() => ({})),
    aliases: z.record(z.string(), text, { error: 'must be an object' }).default(() => ({})),
    retry: retrySchema.prefault({}),
    timeouts: timeoutsSchema.prefault({}),
    log: logSchema.prefault({}),
    stream: streamSchema.prefault({}),
    /** Price overrides and additions, by `provider/model` (or a bare model id for every provider). */
    prices: z.record(z.string(), priceSchema, { error: 'must be an object' }).default(() => ({})),
    /** Context window and output limits, by `provider/model`, where the price data lacks them. */
    models: z.record(z.string(), modelLimitsSchema, { error: 'must be an object' }).default(() => ({})),
    ledger: ledgerSchema.prefault({}),
    budgets: budgetsSchema.default(() => []),
    budgetSettings: budgetSettingsSchema.prefault({}),
    alerts: alertsSchema.prefault({}),
    /** Guard rules, applied in order to every call in their scope (docs/guardrails.md). */
    guardrails: guardrailsSchema.default(() => []),
    /** Model names callers use, each mapped to weighted targets and fallbacks (docs/routing.md). */
    routes: routesSchema.default(() => ({})),
    /** Circuit breakers and load balancing of route targets. */
    routing: routingSchema.prefault({}),
    /** The exact-match response cache (docs/cache.md). */
    cache: cacheSchema.prefault({}),
    /** Requests and tokens per minute, per key or scope (docs/rate-limits.md). */
    rateLimits: rateLimitsSchema.prefault({}),
    /** `llmkit serve` (docs/gateway.md). */
    gateway: gatewaySchema.prefault({}),
  })
  .superRefine((config, context) => {
    // A budget naming a channel that does not exist would alert nobody: say so at load time.
    const known = Object.keys(config.alerts.channels);
    config.budgets.forEach((budget, index) => {
      const unknown = budget.channels?.find((name) => !known.includes(name));
      if (unknown !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['budgets', index, 'channels'],
          message: `names alert channel "${unknown}", which is not under alerts.channels`,
        });
      }
    });
    checkRoutes(config, (path, message) => context.addIssue({ code: 'custom', path, message }));
  });

/** Object schemas by key path, so an unknown key can be matched against its known neighbours. */
export const objectShapes: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(configSchema.shape),
  retry: Object.keys(retrySchema.shape),
  timeouts: Object.keys(timeoutsSchema.shape),
  log: Object.keys(logSchema.shape),
  stream: Object.keys(streamSchema.shape),
  provider: Object.keys(providerSchema.shape),
  ledger: Object.keys(ledgerSchema.shape),
  budgetSettings: Object.keys(budgetSettingsSchema.shape),
  alerts: Object.keys(alertsSchema.shape),
  budget: [
    'name',
    'scope',
    'period',
    'limitUsd',
    'limitTokens',
    'mode',
    'onExceed',
    'thresholds',
    'channels',
  ],
  price: Object.keys(priceSchema.shape),
  guardRule: Object.keys(guardRuleSchema.shape),
  routing: Object.keys(routingSchema.shape),
  'routing.breaker': Object.keys(breakerSchema.shape),
  route: Object.keys(routeSchema.shape),
  routeTarget: Object.keys(routeTargetSchema.shape),
  cache: Object.keys(cacheSchema.shape),
  rateLimits: Object.keys(rateLimitsSchema.shape),
  rateLimitRule: Object.keys(rateLimitRuleSchema.shape),
  gateway: Object.keys(gatewaySchema.shape),
  priceTier: Object.keys(priceTierSchema.shape),
  model: Object.keys(modelLimitsSchema.shape),
};

export type ProviderConfig = z.output<typeof providerSchema>;
export type LlmkitConfig = z.output<typeof configSchema>;

/** What a config file or the overrides may hold: provider entries merge over their preset, so all is optional. */
export type LlmkitConfigInput = Omit<z.input<typeof configSchema>, 'providers'> & {
  providers?: Record<string, Partial<z.input<typeof providerSchema>>>;
};

/** Every key optional at every depth; `undefined` means "not given", so CLI flags can pass through as-is. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;
