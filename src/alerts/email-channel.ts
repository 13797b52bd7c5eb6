import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { oneLine } from '../errors/error-from-response.js';
import { abortReason } from '../retry/sleep.js';
import type { AlertChannel } from './alert-channel.js';
import { AlertDeliveryError } from './alert-delivery-error.js';
import type { ChannelConfigOf } from './alerts-schema.js';
import { type ChannelContext, requireVariable } from './channel-context.js';
import { scrubSecrets } from './mask-url.js';

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

// Connection-level failures nodemailer reports: the server was not reached or hung up.
const connectionCodes = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL']);

/** Why the server said no, in one line a human can act on, with nothing secret in it. */
function describeSmtpError(error: SMTPConnection.SMTPError, where: string, secrets: readonly string[]) {
  const reply = error.response === undefined ? '' : `: ${oneLine(error.response, 200)}`;
  const transient = error.responseCode !== undefined && error.responseCode >= 400 && error.responseCode < 500;
  let detail: string;
  let retryable = transient;
  if (error.code === 'EAUTH')
    detail = `the SMTP server ${where} refused the login${reply || `: ${error.message}`}`;
  else if (error.code === 'EENVELOPE')
    detail = `the SMTP server ${where} refused the ${error.command === 'MAIL FROM' ? 'sender' : 'recipients'}${reply || `: ${error.message}`}`;
  else if (error.code !== undefined && connectionCodes.has(error.code)) {
    detail = `could not reach the SMTP server ${where}: ${error.code}${error.message ? ` (${oneLine(error.message, 160)})` : ''}`;
    retryable = true;
  } else detail = `the SMTP server ${where} failed: ${oneLine(error.message, 200)}${reply}`;
  return new AlertDeliveryError(scrubSecrets(detail, secrets), {
    retryable,
    ...(error.responseCode === undefined ? {} : { upstreamCode: String(error.responseCode) }),
  });
}

/**
 * Email over SMTP with nodemailer's SMTP transport (nodemailer.com/smtp): subject = title,
 * a plain text body and the same as simple HTML. `secure: true` is implicit TLS (port 465);
 * otherwise the connection upgrades with STARTTLS when the server offers it.
 */
export function createEmailChannel(
  name: string,
  config: ChannelConfigOf<'email'>,
  context: ChannelContext,
): AlertChannel {
  const key = `alerts.channels.${name}`;
  const user =
    config.userEnv === undefined ? undefined : requireVariable(context, config.userEnv, `${key}.userEnv`);
  const password =
    config.passwordEnv === undefined
      ? undefined
      : requireVariable(context, config.passwordEnv, `${key}.passwordEnv`);
  const where = `${config.host}:${config.port}`;
  const secrets = [password, user].filter((value): value is string => value !== undefined);
  return {
    name,
    type: 'email',
    async send(message, { signal }) {
      if (signal.aborted) throw abortReason(signal);
      // One connection per alert: alerts are rare, and nothing then idles open between them.
      const transport = nodemailer.createTransport({
        host: config.host,
        port: config.port,
        secure: config.secure,
        ...(user === undefined ? {} : { auth: { user, pass: password ?? '' } }),
        // The dispatcher's signal is the real deadline; these only stop a silent server sooner.
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
      // nodemailer 10 closes the connection when `signal` aborts; @types/nodemailer 8 predates it.
      const mail: Mail.Options & { signal: AbortSignal } = {
        from: config.from,
        to: config.to,
        subject: message.title,
        text: message.text,
        html: `<h2>${escapeHtml(message.title)}</h2>\n<p>${escapeHtml(message.text).replaceAll('\n', '<br>\n')}</p>`,
        signal,
      };
      try {
        const info = await transport.sendMail(mail);
        const rejected = info.rejected.map(String);
        if (rejected.length > 0)
          throw new AlertDeliveryError(
            `the SMTP server ${where} refused ${rejected.length} of ${config.to.length} recipients: ${rejected.join(', ')}`,
          );
      } catch (error) {
        if (signal.aborted) throw abortReason(signal);
        if (error instanceof AlertDeliveryError) throw error;
        throw describeSmtpError(error as SMTPConnection.SMTPError, where, secrets);
      } finally {
        transport.close();
      }
    },
  };
}
