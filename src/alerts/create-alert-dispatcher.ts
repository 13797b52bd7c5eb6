import type { Logger } from '../logging/logger.js';
import { AlertDispatcher, type AlertDispatcherOptions } from './alert-dispatcher.js';
import type { AlertsConfig } from './alerts-schema.js';
import { type CreateChannelsOptions, createChannels } from './create-channels.js';

export { AlertDispatcher } from './alert-dispatcher.js';

/**
 * The dispatcher for a loaded config's `alerts`: every configured channel, its locale,
 * retries and timeout. With no channels it is a dispatcher that sends nowhere.
 */
export function createAlertDispatcher(
  config: AlertsConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  options: CreateChannelsOptions & Pick<AlertDispatcherOptions, 'sleep'> = {},
): AlertDispatcher {
  const channels = config === undefined ? [] : createChannels(config, env, logger, options);
  return new AlertDispatcher(channels, {
    locale: config?.locale ?? 'en',
    retries: config?.retries ?? 3,
    timeoutMs: config?.timeoutMs ?? 5_000,
    logger,
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  });
}
