import { createHmac } from 'node:crypto';
import type { AlertChannel } from './alert-channel.js';
import { alertRequest, serviceError } from './alert-request.js';
import type { ChannelConfigOf } from './alerts-schema.js';
import { type ChannelContext, channelSecret, channelURL } from './channel-context.js';

/**
 * DingTalk robot signature, from "custom robot security settings"
 * (open.dingtalk.com/document/robots/customize-robot-security-settings): HMAC-SHA256 keyed
 * with the secret (the `SEC…` string) over `timestamp + "\n" + secret`, Base64-encoded, then
 * URL-encoded into the query. The timestamp is in milliseconds, within an hour of DingTalk's clock.
 */
export function dingtalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

// 130101: "send too fast, exceed 20 times per minute"; the limit lifts after a wait.
const retryableCodes = new Set([130101]);

/**
 * DingTalk custom robot: POST `{ msgtype: "text", text: { content } }` to the webhook URL
 * plus `&timestamp=…&sign=…` when signing. DingTalk answers HTTP 200 with `errcode` ≠ 0 when
 * it refuses (e.g. 310000 for a bad signature or a missing keyword).
 */
export function createDingtalkChannel(
  name: string,
  config: ChannelConfigOf<'dingtalk'>,
  context: ChannelContext,
): AlertChannel {
  const key = `alerts.channels.${name}`;
  const url = channelURL(context, config, key);
  const secret = channelSecret(context, config, key);
  return {
    name,
    type: 'dingtalk',
    async send(message, { signal }) {
      let target = url;
      if (secret !== undefined) {
        const timestamp = String(Date.now());
        const query = `timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(secret, timestamp))}`;
        target = `${url}${url.includes('?') ? '&' : '?'}${query}`;
      }
      const response = await alertRequest({
        url: target,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ msgtype: 'text', text: { content: `${message.title}\n${message.text}` } }),
        signal,
        dispatcher: context.dispatcher,
      });
      const body = (response.body ?? {}) as { errcode?: unknown; errmsg?: unknown };
      if (typeof body.errcode === 'number' && body.errcode !== 0)
        throw serviceError('DingTalk', body.errcode, body.errmsg, {
          retryable: retryableCodes.has(body.errcode),
        });
    },
  };
}
