import { createHmac } from 'node:crypto';
import type { AlertChannel } from './alert-channel.js';
import { alertRequest } from './alert-request.js';
import type { ChannelConfigOf } from './alerts-schema.js';
import { type ChannelContext, channelSecret, channelURL } from './channel-context.js';

/**
 * The signature receivers recompute, documented in docs/alerts.md: hex HMAC-SHA256, keyed
 * with the secret, of `<timestamp>.<raw body>`. Signing the timestamp with the body lets a
 * receiver reject a replayed request whose X-Llmkit-Timestamp is old (the Stripe scheme).
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Any HTTP endpoint: the AlertEvent as a JSON body, signed when `secretEnv` is set. */
export function createWebhookChannel(
  name: string,
  config: ChannelConfigOf<'webhook'>,
  context: ChannelContext,
): AlertChannel {
  const key = `alerts.channels.${name}`;
  const url = channelURL(context, config, key);
  const secret = channelSecret(context, config, key);
  return {
    name,
    type: 'webhook',
    async send(message, { signal }) {
      const body = JSON.stringify(message.event);
      const timestamp = String(Math.floor(Date.now() / 1000));
      await alertRequest({
        url,
        // Ours last: a configured header cannot forge the content type or the signature.
        headers: {
          ...config.headers,
          'content-type': 'application/json',
          'x-llmkit-event': message.event.kind,
          'x-llmkit-timestamp': timestamp,
          ...(secret === undefined
            ? {}
            : { 'x-llmkit-signature': webhookSignature(secret, timestamp, body) }),
        },
        body,
        signal,
        dispatcher: context.dispatcher,
        secrets: secret === undefined ? [] : [secret],
      });
    },
  };
}
