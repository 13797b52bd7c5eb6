import type { Dispatcher } from 'undici';
import { ConfigError } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';

/** What every channel factory receives besides its own config. */
export interface ChannelContext {
  /** Where `*Env` variables are read, e.g. `loadConfig().env` (`.env` overlaid by the process). */
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** The HTTP connection pool; undici's global one when not given. */
  dispatcher?: Dispatcher | undefined;
}

/** The value of a variable a channel names, or a ConfigError naming both the variable and the key. */
export function requireVariable(context: ChannelContext, variable: string, key: string): string {
  const value = context.env[variable];
  if (value === undefined || value.trim() === '')
    throw new ConfigError(`${key} names ${variable}, which is not set; set it in the environment or .env`);
  return value.trim();
}

/** A chat channel's webhook URL: `url`, or the value of `urlEnv`, checked to be http(s). */
export function channelURL(
  context: ChannelContext,
  channel: { url?: string | undefined; urlEnv?: string | undefined },
  key: string,
): string {
  if (channel.url !== undefined) return channel.url;
  if (channel.urlEnv === undefined) throw new ConfigError(`${key} must set exactly one of url and urlEnv`);
  const url = requireVariable(context, channel.urlEnv, `${key}.urlEnv`);
  // Never echo the value: it is the secret.
  if (!/^https?:\/\/[^\s/?#]+\S*$/i.test(url))
    throw new ConfigError(`${channel.urlEnv} (named by ${key}.urlEnv) must hold an http(s) URL`);
  return url;
}

/** A signing secret named by `secretEnv`, if the channel has one; a named but unset variable is an error. */
export function channelSecret(
  context: ChannelContext,
  channel: { secretEnv?: string | undefined },
  key: string,
): string | undefined {
  return channel.secretEnv === undefined
    ? undefined
    : requireVariable(context, channel.secretEnv, `${key}.secretEnv`);
}
