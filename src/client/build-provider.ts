import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { readEnvValue } from '../config/env-variables.js';
import type { LoadedConfig } from '../config/load-config.js';
import { resolveApiKey } from '../config/secrets.js';
import { ConfigError } from '../errors/index.js';
import { createOpenAICompatibleProvider } from '../providers/openai-compatible/index.js';
import type { HttpDebugEvent } from '../providers/openai-compatible/openai-compatible-provider.js';
import type { Provider } from '../providers/provider.js';

/**
 * A configured provider with its key, or a ConfigError naming the variable to set. `apiKeyEnv`
 * (a route target's own key) replaces the provider's key source; the key still goes only to the
 * provider's configured base URL.
 */
export function buildProvider(
  name: string,
  loaded: LoadedConfig,
  logger: Logger,
  dispatcher?: Dispatcher,
  apiKeyEnv?: string,
): Provider {
  const settings = loaded.config;
  const providerConfig = settings.providers[name];
  if (!providerConfig) {
    const known = Object.keys(settings.providers).join(', ');
    throw new ConfigError(`unknown provider "${name}"; configured providers: ${known}`);
  }
  const key =
    apiKeyEnv === undefined ? resolveApiKey(name, loaded) : { value: readEnvValue(loaded.env, apiKeyEnv) };
  if (apiKeyEnv !== undefined && !key.value) {
    // Naming a variable for one target is deliberate: an unset one is a mistake, key required or not.
    throw new ConfigError(`no API key for a route target of provider "${name}": ${apiKeyEnv} is not set`, {
      hint: `set ${apiKeyEnv} in the environment or .env, or remove apiKeyEnv from the route target`,
      provider: name,
    });
  }
  if (!key.value && providerConfig.apiKeyRequired) {
    const variable = providerConfig.apiKeyEnv ?? `${name.toUpperCase().replaceAll('-', '_')}_API_KEY`;
    throw new ConfigError(`no API key for provider "${name}"`, {
      hint: `set ${variable} in the environment or .env, or providers.${name}.apiKeyFile in the config`,
      provider: name,
    });
  }
  return createOpenAICompatibleProvider({
    name,
    baseURL: providerConfig.baseURL,
    apiKey: key.value,
    authHeader: providerConfig.authHeader,
    headers: providerConfig.headers,
    query: providerConfig.query,
    maxLineBytes: settings.stream.maxLineBytes,
    ...(dispatcher ? { dispatcher } : {}),
    ...(settings.log.debugHttp
      ? {
          onHttp: (event: HttpDebugEvent) => logger.debug({ event: 'http', ...event }, `http ${event.phase}`),
        }
      : {}),
  });
}
