import type { Logger } from '../logging/logger.js';
import type { AlertChannel } from './alert-channel.js';
import { proxyDispatcher } from './alert-request.js';
import type { AlertsConfig, ChannelConfig, ChannelConfigOf, ChannelType } from './alerts-schema.js';
import { createAliyunSmsChannel } from './aliyun-sms-channel.js';
import type { ChannelContext } from './channel-context.js';
import { createDingtalkChannel } from './dingtalk-channel.js';
import { createEmailChannel } from './email-channel.js';
import { createFeishuChannel } from './feishu-channel.js';
import { createLogChannel } from './log-channel.js';
import { createSlackChannel } from './slack-channel.js';
import { createTwilioChannel } from './twilio-channel.js';
import { createWebhookChannel } from './webhook-channel.js';
import { createWecomChannel } from './wecom-channel.js';

export type ChannelFactory<Type extends ChannelType> = (
  name: string,
  config: ChannelConfigOf<Type>,
  context: ChannelContext,
) => AlertChannel;

/** Every channel type and its adapter: adding a type is one schema entry and one line here. */
const factories: { [Type in ChannelType]: ChannelFactory<Type> } = {
  log: createLogChannel,
  webhook: createWebhookChannel,
  slack: createSlackChannel,
  feishu: createFeishuChannel,
  dingtalk: createDingtalkChannel,
  wecom: createWecomChannel,
  email: createEmailChannel,
  twilio: createTwilioChannel,
  'aliyun-sms': createAliyunSmsChannel,
};

export interface CreateChannelsOptions {
  /** An undici dispatcher for every HTTP channel; by default a proxy agent when HTTPS_PROXY & co. are set. */
  dispatcher?: ChannelContext['dispatcher'];
}

/**
 * Builds one adapter per configured channel, reading each secret from `env` now, so a
 * missing variable is a ConfigError naming it at startup rather than a failed alert later.
 */
export function createChannels(
  config: Pick<AlertsConfig, 'channels'>,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  options: CreateChannelsOptions = {},
): AlertChannel[] {
  const context: ChannelContext = { env, logger, dispatcher: options.dispatcher ?? proxyDispatcher(env) };
  return Object.entries(config.channels).map(([name, channel]) => {
    // The table pairs each type with its factory; TypeScript cannot correlate the two lookups.
    const factory = factories[channel.type] as ChannelFactory<ChannelConfig['type']>;
    return factory(name, channel as never, context);
  });
}
