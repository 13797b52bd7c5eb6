import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/index.js';
import { closestMatch } from './closest-match.js';
import { defaultKeyVariable } from './compose-providers.js';
import type { ProviderConfig } from './config-schema.js';
import { readEnvValue } from './env-variables.js';
import type { LoadedConfig } from './load-config.js';

export interface ResolvedKey {
  value: string | undefined;
  /** Where the key came from, never the key: 'env DEEPSEEK_API_KEY', '.env DEEPSEEK_API_KEY', 'file /run/secrets/x' or 'none'. */
  source: string;
}

/** The variable a provider reads its key from: its `apiKeyEnv`, else one derived from its name. */
export function apiKeyVariable(providerName: string, provider: ProviderConfig): string {
  return provider.apiKeyEnv ?? defaultKeyVariable(providerName);
}

export function providerConfigOf(providerName: string, loaded: Pick<LoadedConfig, 'config'>): ProviderConfig {
  const provider = loaded.config.providers[providerName];
  if (provider !== undefined) return provider;
  const known = Object.keys(loaded.config.providers);
  const suggestion = closestMatch(providerName, known);
  const help =
    suggestion === undefined ? `known providers: ${known.join(', ')}` : `did you mean "${suggestion}"?`;
  throw new ConfigError(`provider "${providerName}" is not configured; ${help}`);
}

/**
 * Finds a provider's API key. A secret file (`apiKeyFile`, e.g. a Docker or Kubernetes secret)
 * wins over the variable, because setting one is a deliberate choice for that provider.
 */
export function resolveApiKey(providerName: string, loaded: LoadedConfig): ResolvedKey {
  const provider = providerConfigOf(providerName, loaded);
  if (provider.apiKeyFile !== undefined) {
    const path = provider.apiKeyFile;
    let value: string;
    try {
      value = readFileSync(path, 'utf8').trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new ConfigError(
        `providers.${providerName}.apiKeyFile: cannot read ${path} (${code}); check the path and its permissions`,
      );
    }
    if (value === '') {
      throw new ConfigError(`providers.${providerName}.apiKeyFile: ${path} is empty; write the key into it`);
    }
    return { value, source: `file ${path}` };
  }
  const variable = apiKeyVariable(providerName, provider);
  const value = readEnvValue(loaded.env, variable);
  if (value === undefined) return { value: undefined, source: 'none' };
  const origin = loaded.envSources?.[variable] ?? 'env';
  return { value, source: `${origin} ${variable}` };
}

/** `sk-…3f9a`: enough to tell two keys apart, never enough to use one. */
export function maskSecret(value: string): string {
  if (value.length < 12) return '***';
  return `${value.slice(0, 3)}…${value.slice(-4)}`;
}
