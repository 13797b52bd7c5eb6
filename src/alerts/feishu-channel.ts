import { createHmac } from 'node:crypto';
import type { AlertChannel } from './alert-channel.js';
import { alertRequest, serviceError } from './alert-request.js';
import type { ChannelConfigOf } from './alerts-schema.js';
import { type ChannelContext, channelSecret, channelURL } from './channel-context.js';

/**
 * Feishu/Lark custom bot signature, from the custom bot guide
 * (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, "signature verification"):
 * `timestamp + "\n" + secret` is the HMAC-SHA256 *key*, the message is empty, and the digest
 * is Base64-encoded. The timestamp is in seconds and must be within an hour of Feishu's clock.
 */
export function feishuSign(secret: string, timestamp: string): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

// 11232: the bot's rate limit (100/minute, 5/second per the guide); waiting lets it through.
const retryableCodes = new Set([11232]);

/**
 * Feishu custom bot: POST `{ timestamp, sign, msg_type: "text", content: { text } }`.
 * Feishu answers HTTP 200 even when it refuses, with `code` ≠ 0 in the body (19021 bad
 * signature, 19024 keyword missing, 9499 bad request); older answers carry `StatusCode`.
 */
export function createFeishuChannel(
  name: string,
  config: ChannelConfigOf<'feishu'>,
  context: ChannelContext,
): AlertChannel {
  const key = `alerts.channels.${name}`;
  const url = channelURL(context, config, key);
  const secret = channelSecret(context, config, key);
  return {
    name,
    type: 'feishu',
    async send(message, { signal }) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const payload = {
        ...(secret === undefined ? {} : { timestamp, sign: feishuSign(secret, timestamp) }),
        msg_type: 'text',
        content: { text: `${message.title}\n${message.text}` },
      };
      const response = await alertRequest({
        url,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(payload),
        signal,
        dispatcher: context.dispatcher,
        describeError: describeFeishuError,
      });
      const body = (response.body ?? {}) as {
        code?: unknown;
        msg?: unknown;
        StatusCode?: unknown;
        StatusMessage?: unknown;
      };
      const code = body.code ?? body.StatusCode;
      if (typeof code === 'number' && code !== 0)
        throw serviceError('Feishu', code, body.msg ?? body.StatusMessage, {
          retryable: retryableCodes.has(code),
        });
    },
  };
}

function describeFeishuError(body: unknown): string | undefined {
  const { code, msg } = (body ?? {}) as { code?: unknown; msg?: unknown };
  return code === undefined ? undefined : `error ${String(code)}${typeof msg === 'string' ? `: ${msg}` : ''}`;
}
