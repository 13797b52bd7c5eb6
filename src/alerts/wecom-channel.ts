import type { AlertChannel } from './alert-channel.js';
import { alertRequest, serviceError } from './alert-request.js';
import type { ChannelConfigOf } from './alerts-schema.js';
import { type ChannelContext, channelURL } from './channel-context.js';

// 45009: the robot's rate limit (20 messages a minute); -1: WeCom is busy. Both pass with time.
const retryableCodes = new Set([45009, -1]);

/** The guide caps text content at 2048 bytes of UTF-8; cut on a character boundary, never mid-character. */
function clipBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let result = '';
  let bytes = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character);
    if (bytes + size > maxBytes - 3) break;
    result += character;
    bytes += size;
  }
  return `${result}…`;
}

/**
 * WeCom group robot (developer.work.weixin.qq.com/document/path/91770, "group robot
 * configuration"): POST `{ msgtype: "text", text: { content } }` to the webhook URL, whose
 * `key` is the token. WeCom answers HTTP 200 with `errcode` ≠ 0 when it refuses
 * (`{"errcode":0,"errmsg":"ok"}` is success).
 */
export function createWecomChannel(
  name: string,
  config: ChannelConfigOf<'wecom'>,
  context: ChannelContext,
): AlertChannel {
  const url = channelURL(context, config, `alerts.channels.${name}`);
  return {
    name,
    type: 'wecom',
    async send(message, { signal }) {
      const content = clipBytes(`${message.title}\n${message.text}`, 2048);
      const response = await alertRequest({
        url,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ msgtype: 'text', text: { content } }),
        signal,
        dispatcher: context.dispatcher,
      });
      const body = (response.body ?? {}) as { errcode?: unknown; errmsg?: unknown };
      if (typeof body.errcode === 'number' && body.errcode !== 0)
        throw serviceError('WeCom', body.errcode, body.errmsg, {
          retryable: retryableCodes.has(body.errcode),
        });
    },
  };
}
