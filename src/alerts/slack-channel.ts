import type { AlertChannel } from './alert-channel.js';
import { alertRequest } from './alert-request.js';
import type { ChannelConfigOf } from './alerts-schema.js';
import { type ChannelContext, channelURL } from './channel-context.js';

/** Slack's mrkdwn reserves &, < and > for its own markup; they must be escaped as entities. */
function escapeMarkup(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Slack incoming webhook (docs.slack.dev/messaging/sending-messages-using-incoming-webhooks):
 * POST a JSON `{ text, blocks }`; `text` is the notification fallback when blocks are sent.
 * A header block takes at most 150 characters of plain text, a section 3000 of mrkdwn
 * (Block Kit reference). Slack answers 200 `ok`, or 400/403/404/410/500 with a bare error
 * string such as `invalid_payload` or `channel_not_found` (api.slack.com changelog 2016-05-17).
 */
export function createSlackChannel(
  name: string,
  config: ChannelConfigOf<'slack'>,
  context: ChannelContext,
): AlertChannel {
  const url = channelURL(context, config, `alerts.channels.${name}`);
  return {
    name,
    type: 'slack',
    async send(message, { signal }) {
      const payload = {
        text: escapeMarkup(`${message.title}\n${message.text}`),
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: clip(message.title, 150) } },
          { type: 'section', text: { type: 'mrkdwn', text: clip(escapeMarkup(message.text), 3000) } },
        ],
      };
      await alertRequest({
        url,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal,
        dispatcher: context.dispatcher,
      });
    },
  };
}
