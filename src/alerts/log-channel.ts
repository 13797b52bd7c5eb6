import type { AlertChannel } from './alert-channel.js';
import type { ChannelConfigOf } from './alerts-schema.js';
import type { ChannelContext } from './channel-context.js';

/** Writes each alert to llmkit's own log, at warn so the default stderr level shows it. Never fails. */
export function createLogChannel(
  name: string,
  _config: ChannelConfigOf<'log'>,
  context: ChannelContext,
): AlertChannel {
  return {
    name,
    type: 'log',
    async send(message) {
      context.logger.warn(
        { alert: message.event, channel: name },
        `${message.title}: ${message.text.replace(/\n/g, '; ')}`,
      );
    },
  };
}
