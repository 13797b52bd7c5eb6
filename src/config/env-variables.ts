import type { z } from 'zod';
import { ConfigError } from '../errors/index.js';
import { httpURL, logLevel, positiveWholeNumber, wholeNumber } from './config-schema.js';
import { emptyObject, isPlainObject, type RawObject } from './merge-layers.js';
import { presetFor, presetNames } from './presets.js';

export interface EnvVariable {
  name: string;
  /** Dotted config key the variable sets (`retry.maxRetries`). */
  key: string;
  description: string;
}

export type EnvOrigin = '.env' | 'env';

interface EnvBinding extends EnvVariable {
  path: readonly string[];
  /** The value to store, or undefined to leave the key unset. Throws a message when invalid. */
  read: (raw: string) => unknown;
}

function checked(schema: z.ZodType, convert: (raw: string) => unknown = (raw) => raw) {
  return (raw: string): unknown => {
    const result = schema.safeParse(convert(raw));
    if (!result.success) throw new Error(result.error.issues[0]?.message ?? 'is invalid');
    return result.data;
  };
}

// Anything but plain digits stays a string, so the number schema rejects it with its own message.
const digits = (raw: string): unknown => (/^-?\d+$/.test(raw) ? Number(raw) : raw);

function binding(
  name: string,
  key: string,
  description: string,
  read: (raw: string) => unknown,
  path: readonly string[] = key.split('.'),
): EnvBinding {
  return { name, key, description, path, read };
}

const text = (raw: string): unknown => raw;

const llmkitBindings: EnvBinding[] = [
  binding('LLMKIT_HOME', 'home', 'directory for llmkit state (cache, ledger)', text),
  binding(
    'LLMKIT_DEFAULT_PROVIDER',
    'defaultProvider',
    'provider for model names without a provider/ prefix',
    text,
  ),
  binding('LLMKIT_MODEL', 'defaultModel', 'model used when a call names none', text),
  binding(
    'LLMKIT_LOG_LEVEL',
    'log.level',
    'log level: fatal, error, warn, info, debug, trace or silent',
    checked(logLevel),
  ),
  binding('LLMKIT_LOG_FILE', 'log.file', 'write logs to this file', text),
  binding('LLMKIT_LEDGER', 'ledger.enabled', '"off" (or false, 0) disables the usage ledger', (raw) =>
    /^(off|false|0|no)$/i.test(raw) ? false : /^(on|true|1|yes)$/i.test(raw) ? true : raw,
  ),
  binding('LLMKIT_LEDGER_BACKEND', 'ledger.backend', 'usage ledger backend: sqlite or postgres', text),
  binding('LLMKIT_LEDGER_PATH', 'ledger.path', 'SQLite ledger file (default <home>/llmkit.db)', text),
  binding('LLMKIT_DATABASE_URL', 'ledger.url', 'PostgreSQL connection string for the ledger', text),
  binding('LLMKIT_BUDGET_STORE', 'budgetSettings.store', 'where budget counters live: sqlite or redis', text),
  binding(
    'LLMKIT_REDIS_URL',
    'budgetSettings.redisUrl',
    'Redis for budgets (and the response cache) shared by several instances',
    text,
  ),
  binding(
    'LLMKIT_CACHE_STORE',
    'cache.store',
    'where the response cache lives: memory, sqlite or redis',
    text,
  ),
  binding(
    'LLMKIT_RATE_LIMIT_STORE',
    'rateLimits.store',
    'where rate-limit counters live: memory or redis (Redis: rateLimits.redisUrl, else LLMKIT_REDIS_URL)',
    text,
  ),
  binding(
    'LLMKIT_TIMEZONE',
    'budgetSettings.timeZone',
    'IANA time zone of budget periods (default UTC)',
    text,
  ),
  binding(
    'LLMKIT_DEBUG',
    'log.debugHttp',
    'a value containing "http" logs every HTTP exchange (keys masked)',
    (raw) => (raw.toLowerCase().includes('http') ? true : undefined),
  ),
  binding(
    'LLMKIT_MAX_RETRIES',
    'retry.maxRetries',
    'retries after the first attempt',
    checked(wholeNumber, digits),
  ),
  binding(
    'LLMKIT_TIMEOUT_MS',
    'timeouts.totalMs',
    'total time allowed per call',
    checked(positiveWholeNumber, digits),
  ),
  binding(
    'LLMKIT_FIRST_TOKEN_TIMEOUT_MS',
    'timeouts.firstTokenMs',
    'time allowed until the first streamed token',
    checked(positiveWholeNumber, digits),
  ),
  binding(
    'LLMKIT_IDLE_TIMEOUT_MS',
    'timeouts.idleMs',
    'time allowed between two streamed chunks',
    checked(positiveWholeNumber, digits),
  ),
];

const presetBindings: EnvBinding[] = presetNames.flatMap((name) => {
  const preset = presetFor(name);
  const fromEnv = preset.baseURLFromEnv ?? ((raw: string) => raw);
  const baseURL = binding(
    preset.baseURLEnv,
    `providers.${name}.baseURL`,
    `base URL of ${preset.description}`,
    checked(httpURL, fromEnv),
    ['providers', name, 'baseURL'],
  );
  const query = Object.entries(preset.queryEnv ?? {}).flatMap(([parameter, names]) =>
    names.map((variable) =>
      binding(
        variable,
        `providers.${name}.query.${parameter}`,
        `${parameter} query parameter of ${name}`,
        text,
        ['providers', name, 'query', parameter],
      ),
    ),
  );
  return [baseURL, ...query];
});

const bindings = [...llmkitBindings, ...presetBindings];

const strip = ({ name, key, description }: EnvVariable): EnvVariable => ({ name, key, description });

/** Every variable llmkit reads, for the docs and `llmkit config check`. */
export const envVariables: readonly EnvVariable[] = [
  { name: 'LLMKIT_CONFIG', key: 'configFile', description: 'path of the config file (same as --config)' },
  ...bindings.map(strip),
  ...presetNames.map((name) => ({
    name: presetFor(name).apiKeyEnv,
    key: `providers.${name}.apiKey`,
    description: `API key for ${presetFor(name).description} (never stored in config files)`,
  })),
];

function setAt(target: RawObject, path: readonly string[], value: unknown): void {
  let current = target;
  for (const key of path.slice(0, -1)) {
    const next = current[key];
    if (isPlainObject(next)) {
      current = next;
    } else {
      const created = emptyObject();
      current[key] = created;
      current = created;
    }
  }
  const last = path[path.length - 1];
  if (last !== undefined) current[last] = value;
}

/** An empty or blank variable counts as unset, as in the official OpenAI SDK. */
export function readEnvValue(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The config values set by variables, split by where each variable came from so `.env` and
 * the process environment keep their own precedence and source. When several variables set
 * one key, the first in the table wins.
 */
export function readEnvLayers(
  env: Readonly<Record<string, string | undefined>>,
  originOf: (name: string) => EnvOrigin,
): Record<EnvOrigin, RawObject> {
  const layers: Record<EnvOrigin, RawObject> = { '.env': emptyObject(), env: emptyObject() };
  const setKeys = new Set<string>();
  for (const entry of bindings) {
    const raw = readEnvValue(env, entry.name);
    if (raw === undefined || setKeys.has(entry.key)) continue;
    const origin = originOf(entry.name);
    let value: unknown;
    try {
      value = entry.read(raw);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      throw new ConfigError(`${entry.name} (from ${origin}) ${problem}, got ${JSON.stringify(raw)}`);
    }
    if (value === undefined) continue;
    setKeys.add(entry.key);
    setAt(layers[origin], entry.path, value);
  }
  return layers;
}
