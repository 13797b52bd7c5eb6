import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertChannel } from '../../src/alerts/alert-channel.js';
import { AlertDeliveryError } from '../../src/alerts/alert-delivery-error.js';
import { channelFrom, messageOf, send, testEvent, thresholdAlert } from './alert-fixtures.js';

interface Mailbox {
  port: number;
  messages: Array<{ from: string; to: string[]; raw: string }>;
  logins: Array<{ username: string }>;
  close(): Promise<void>;
}

const user = 'alerts@example.com';
const password = 'smtp-password-0123456789';

/** A real SMTP server on loopback that wants a login, without TLS so the test needs no certificate. */
async function startMailbox(overrides: Partial<SMTPServerOptions> = {}): Promise<Mailbox> {
  const messages: Mailbox['messages'] = [];
  const logins: Mailbox['logins'] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) {
        logins.push({ username: auth.username ?? '' });
        callback(null, { user: auth.username });
      } else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...overrides,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    messages,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let mailbox: Mailbox | undefined;
afterEach(async () => {
  await mailbox?.close();
  mailbox = undefined;
});

function emailChannel(port: number, secret = password): AlertChannel {
  return channelFrom(
    {
      type: 'email',
      host: '127.0.0.1',
      port,
      userEnv: 'SMTP_USER',
      passwordEnv: 'SMTP_PASSWORD',
      from: 'llmkit <alerts@example.com>',
      to: ['oncall@example.com', 'finance@example.com'],
    },
    { SMTP_USER: user, SMTP_PASSWORD: secret },
  );
}

async function failure(promise: Promise<void>): Promise<AlertDeliveryError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AlertDeliveryError);
  return error as AlertDeliveryError;
}

describe('email over SMTP', () => {
  it('logs in and delivers subject, text and HTML to every recipient', async () => {
    mailbox = await startMailbox();
    await send(emailChannel(mailbox.port), messageOf(thresholdAlert));
    expect(mailbox.logins).toEqual([{ username: user }]);
    expect(mailbox.messages).toHaveLength(1);
    const [mail] = mailbox.messages;
    expect(mail?.from).toBe('alerts@example.com');
    expect(mail?.to).toEqual(['oncall@example.com', 'finance@example.com']);
    expect(mail?.raw).toMatch(/^Subject: Budget alert: daily-global at 80% \(\$16\.00 \/ \$20\.00\)\r?$/m);
    expect(mail?.raw).toContain('Content-Type: text/plain');
    expect(mail?.raw).toContain('Content-Type: text/html');
    expect(mail?.raw).toContain('Spent: $16.00 of $20.00');
  });

  it('a refused login says so, with the server reply and without the password', async () => {
    mailbox = await startMailbox();
    const error = await failure(send(emailChannel(mailbox.port, 'wrong-password-000'), messageOf(testEvent)));
    expect(error.message).toMatch(/the SMTP server 127\.0\.0\.1:\d+ refused the login: 535/);
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('wrong-password-000');
    expect(mailbox.messages).toHaveLength(0);
  });

  it('a refused recipient says so', async () => {
    mailbox = await startMailbox({
      onRcptTo(address, _session, callback) {
        if (address.address === 'finance@example.com') {
          const refusal = Object.assign(new Error('Mailbox finance@example.com does not exist'), {
            responseCode: 550,
          });
          callback(refusal);
        } else callback();
      },
    });
    const error = await failure(send(emailChannel(mailbox.port), messageOf(testEvent)));
    expect(error.message).toMatch(/refused 1 of 2 recipients: finance@example\.com/);
  });

  it('every recipient refused is a failure with the server reply', async () => {
    mailbox = await startMailbox({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('Relay access denied'), { responseCode: 554 }));
      },
    });
    const error = await failure(send(emailChannel(mailbox.port), messageOf(testEvent)));
    expect(error.message).toMatch(/refused the recipients: 554 Relay access denied/);
    expect(error.retryable).toBe(false);
  });

  it('a closed port is a retryable connection failure', async () => {
    mailbox = await startMailbox();
    const { port } = mailbox;
    await mailbox.close();
    mailbox = undefined;
    const error = await failure(send(emailChannel(port), messageOf(testEvent)));
    expect(error.message).toMatch(/could not reach the SMTP server 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(error.retryable).toBe(true);
  });

  it('an aborted signal ends the SMTP conversation at once', async () => {
    // A server that never greets: only the abort can end the wait.
    mailbox = await startMailbox({ onConnect: () => undefined });
    const started = Date.now();
    const promise = emailChannel(mailbox.port).send(messageOf(testEvent), {
      signal: AbortSignal.timeout(200),
    });
    await expect(promise).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
