import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from '../errors/index.js';
import { composeProviders, defaultKeyVariable, presetOf } from './compose-providers.js';
import { configIssueMessage } from './config-issue-message.js';
import {
  configSchema,
  type DeepPartial,
  type LlmkitConfig,
  type LlmkitConfigInput,
} from './config-schema.js';
import { type EnvOrigin, readEnvLayers, readEnvValue } from './env-variables.js';
import {
  type ConfigSource,
  emptyObject,
  isPlainObject,
  leafEntries,
  mergeLayer,
  type RawObject,
} from './merge-layers.js';
import { presetFor } from './presets.js';
import { displayPath, locateConfigFile, readConfigFile } from './read-config-file.js';

export type { ConfigSource } from './merge-layers.js';

export interface LoadConfigOptions {
  /** Directory that relative paths and the default files are resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** `--config`; else `LLMKIT_CONFIG`; else the first of llmkit.config.{json,yaml,yml} in `cwd`, if any. */
  configPath?: string;
  /** The process environment. Default `process.env`; only read, never written. */
  env?: Record<string, string | undefined>;
  /** Default `${cwd}/.env`, where a missing file is fine; `false` skips it; an explicit missing path is an error. */
  envFile?: string | false;
  /** CLI flags and call options: the highest layer, source 'flag'. */
  overrides?: DeepPartial<LlmkitConfigInput>;
}

export interface LoadedConfig {
  /** Fully validated, defaults filled, paths absolute. */
  config: LlmkitConfig;
  /** Dotted key path of every leaf -> where its value came from. */
  sources: Record<string, ConfigSource>;
  /** The `.env` values overlaid by the process environment, which wins. */
  env: Readonly<Record<string, string | undefined>>;
  /** Absolute path of the config file used, if any. */
  configFile?: string;
  /** Absolute path of the `.env` file read, if any. */
  envFile?: string;
  /** Which layer each variable of `env` came from; a variable missing here counts as 'env'. */
  envSources?: Readonly<Record<string, EnvOrigin>>;
}

function readEnvFile(
  cwd: string,
  envFile: string | false | undefined,
): { values: Record<string, string>; path?: string } {
  if (envFile === false) return { values: {} };
  const path = resolve(cwd, envFile ?? '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && envFile === undefined) return { values: {} };
    const problem = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'unknown error'})`;
    throw new ConfigError(`env file ${path} ${problem}; check the envFile option`);
  }
  return { values: parseDotenv(text), path };
}

// `apiKey`, `api_key`, `api-key`, `key`...: anything that would put a key in a config file.
const keyFieldNames = new Set(['apikey', 'key']);

/** Keys live only in the environment, `.env` or secret files: config files get committed and shared. */
function rejectKeys(layer: RawObject, where: string | undefined): void {
  const providers = layer['providers'];
  if (!isPlainObject(providers)) return;
  for (const [name, entry] of Object.entries(providers)) {
    if (!isPlainObject(entry)) continue;
    // `headers: { Authorization: "Bearer sk-..." }` is a key in a config file by another name.
    const headers = isPlainObject(entry['headers']) ? Object.keys(entry['headers']) : [];
    const credential = headers.find((header) =>
      /^(authorization|api-key|x-api-key|proxy-authorization)$/i.test(header),
    );
    if (credential !== undefined) {
      const key = `providers.${name}.headers.${credential}`;
      throw new ConfigError(
        `${where === undefined ? `${key} (from flags/options)` : `${where}: ${key}`} is not allowed: credentials live only in the environment, .env or a secret file; use apiKeyEnv or apiKeyFile`,
      );
    }
    const field = Object.keys(entry).find((key) => keyFieldNames.has(key.toLowerCase().replace(/[-_]/g, '')));
    if (field === undefined) continue;
    const preset = presetOf(name, entry);
    const declared = entry['apiKeyEnv'];
    const variable =
      typeof declared === 'string'
        ? declared
        : preset === undefined
          ? defaultKeyVariable(name)
          : presetFor(preset).apiKeyEnv;
    const key = `providers.${name}.${field}`;
    const located = where === undefined ? `${key} (from flags/options)` : `${where}: ${key}`;
    throw new ConfigError(
      `${located} is not allowed: keys live only in the environment, .env or a secret file; set ${variable} or apiKeyFile`,
    );
  }
}

function absolutePath(cwd: string, path: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return resolve(cwd, path);
}

function finish(config: LlmkitConfig, cwd: string): LlmkitConfig {
  config.home = absolutePath(cwd, config.home);
  if (config.log.file !== undefined) config.log.file = absolutePath(cwd, config.log.file);
  config.ledger.path = absolutePath(cwd, config.ledger.path ?? resolve(config.home, 'llmkit.db'));
  config.budgetSettings.path = absolutePath(
    cwd,
    config.budgetSettings.path ?? resolve(config.home, 'budgets.db'),
  );
  config.gateway.keysPath = absolutePath(cwd, config.gateway.keysPath ?? resolve(config.home, 'gateway.db'));
  config.cache.path = absolutePath(cwd, config.cache.path ?? resolve(config.home, 'cache.db'));
  // One Redis for budgets and the cache unless told otherwise.
  config.cache.redisUrl ??= config.budgetSettings.redisUrl;
  for (const provider of Object.values(config.providers)) {
    // `https://host/v1/` + `/chat/completions` would request `//chat/completions`.
    provider.baseURL = provider.baseURL.replace(/\/+$/, '');
    if (provider.apiKeyFile !== undefined) provider.apiKeyFile = absolutePath(cwd, provider.apiKeyFile);
  }
  return config;
}

/**
 * Builds the effective config from, lowest to highest: defaults (and presets), the config
 * file, `.env`, the process environment and `overrides`. Throws a one-line ConfigError naming
 * the file or variable and key path of the first problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = resolve(options.cwd ?? process.cwd());
  const processEnv = options.env ?? process.env;
  const envFile = readEnvFile(cwd, options.envFile);

  const env: Record<string, string | undefined> = { ...envFile.values };
  const envSources: Record<string, EnvOrigin> = {};
  for (const name of Object.keys(envFile.values)) envSources[name] = '.env';
  for (const [name, value] of Object.entries(processEnv)) {
    if (value === undefined) continue;
    env[name] = value;
    envSources[name] = 'env';
  }

  const merged = emptyObject();
  const sources: Record<string, ConfigSource> = {};
  const location = locateConfigFile(cwd, options.configPath, readEnvValue(env, 'LLMKIT_CONFIG'));
  if (location !== undefined) {
    const shown = displayPath(location.path, cwd);
    const data = readConfigFile(location.path, shown);
    rejectKeys(data, shown);
    mergeLayer(merged, data, `file:${shown}`, sources);
  }
  const envLayers = readEnvLayers(env, (name) => envSources[name] ?? 'env');
  mergeLayer(merged, envLayers['.env'], '.env', sources);
  mergeLayer(merged, envLayers.env, 'env', sources);
  if (options.overrides !== undefined) {
    const overrides = options.overrides as RawObject;
    rejectKeys(overrides, undefined);
    mergeLayer(merged, overrides, 'flag', sources);
  }
  composeProviders(merged, sources);

  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(configIssueMessage(result.error.issues, merged, sources));
  const config = finish(result.data, cwd);

  const leafSources: Record<string, ConfigSource> = {};
  for (const [path] of leafEntries(config)) leafSources[path] = sources[path] ?? 'default';
  const loaded: LoadedConfig = {
    config,
    sources: leafSources,
    env: Object.freeze(env),
    ...(location === undefined ? {} : { configFile: location.path }),
    ...(envFile.path === undefined ? {} : { envFile: envFile.path }),
    envSources: Object.freeze(envSources),
  };
  // The merged environment holds every key; a user who logs or serialises the loaded config
  // must not print them, so `env` is readable but left out of JSON and of logs.
  Object.defineProperty(loaded, 'env', { enumerable: false });
  return loaded;
}
