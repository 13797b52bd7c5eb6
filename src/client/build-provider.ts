import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { LoadedConfig } from '../config/load-config.js';
import { resolveApiKey } from '../config/secrets.js';
import { ConfigError } from '../errors/index.js';
import { createOpenAICompatibleProvider } from '../providers/openai-compatible/index.js';
import type { HttpDebugEvent } from '../providers/openai-compatible/openai-compatible-provider.js';
import type { Provider } from '../providers/provider.js';

/** A configured provider with its key, or a ConfigError naming the variable to set. */
export function buildProvider(
  name: string,
  loaded: LoadedConfig,
  logger: Logger,
  dispatcher?: Dispatcher,
): Provider {
  const settings = loaded.config;
  const providerConfig = settings.providers[name];
  if (!providerConfig) {
    const known = Object.keys(settings.providers).join(', ');
    throw new ConfigError(`unknown provider "${name}"; configured providers: ${known}`);
  }
  const key = resolveApiKey(name, loaded);
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
