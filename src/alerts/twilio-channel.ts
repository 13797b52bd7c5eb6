import type { AlertChannel } from './alert-channel.js';
import type { AlertMessage } from './alert-event.js';
import { alertRequest } from './alert-request.js';
import type { ChannelConfigOf } from './alerts-schema.js';
import { type ChannelContext, requireVariable } from './channel-context.js';

/** Twilio's error body: `{ code, message, more_info, status }`. */
function describeTwilioError(body: unknown): string | undefined {
  const { code, message } = (body ?? {}) as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return undefined;
  return code === undefined ? message : `Twilio error ${String(code)}: ${message}`;
}

// The Message resource takes at most 1,600 characters of Body.
const maxBodyLength = 1_600;

/**
 * Twilio Programmable Messaging, "Create a Message resource"
 * (twilio.com/docs/messaging/api/message-resource): one POST per recipient to
 * `/2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`, `From`, `Body`,
 * with HTTP Basic auth AccountSid:AuthToken (twilio.com/docs/usage/requests-to-twilio).
 * Twilio answers 201 with the message, or 4xx/5xx with `{ code, message }`.
 */
export function createTwilioChannel(
  name: string,
  config: ChannelConfigOf<'twilio'>,
  context: ChannelContext,
): AlertChannel {
  const token = requireVariable(context, config.authTokenEnv, `alerts.channels.${name}.authTokenEnv`);
  const url = `${config.baseURL.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${config.accountSid}:${token}`).toString('base64')}`;
  // A retry of the same alert skips the numbers that already got it: nobody is texted twice.
  const delivered = new WeakMap<AlertMessage, Set<string>>();
  return {
    name,
    type: 'twilio',
    async send(message, { signal }) {
      const done = delivered.get(message) ?? new Set<string>();
      delivered.set(message, done);
      const full = `${message.title}\n${message.text}`;
      const body = full.length > maxBodyLength ? `${full.slice(0, maxBodyLength - 1)}…` : full;
      for (const to of config.to) {
        if (done.has(to)) continue;
        await alertRequest({
          url,
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ To: to, From: config.from, Body: body }).toString(),
          signal,
          dispatcher: context.dispatcher,
          secrets: [token, authorization],
          describeError: describeTwilioError,
        });
        done.add(to);
      }
    },
  };
}
