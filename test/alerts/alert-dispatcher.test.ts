import { afterEach, describe, expect, it } from 'vitest';
import type { AlertChannel } from '../../src/alerts/alert-channel.js';
import { AlertDeliveryError } from '../../src/alerts/alert-delivery-error.js';
import { AlertDispatcher, type AlertDispatcherOptions } from '../../src/alerts/alert-dispatcher.js';
import type { AlertMessage } from '../../src/alerts/alert-event.js';
import { createAlertDispatcher } from '../../src/alerts/create-alert-dispatcher.js';
import { parseAlertsConfig } from '../../src/alerts/parse-alerts-config.js';
import {
  collectingLogger,
  type Receiver,
  startReceiver,
  testEvent,
  thresholdAlert,
} from './alert-fixtures.js';

/** A channel that fails its first `failures` sends with `error`, then succeeds. */
function flakyChannel(
  name: string,
  failures: number,
  error: unknown = new AlertDeliveryError('503', { retryable: true }),
) {
  const sent: AlertMessage[] = [];
  let calls = 0;
  const channel: AlertChannel & { sent: AlertMessage[]; calls: () => number } = {
    name,
    type: 'fake',
    sent,
    calls: () => calls,
    async send(message) {
      calls++;
      if (calls <= failures) throw error;
      sent.push(message);
    },
  };
  return channel;
}

function dispatcherFor(channels: AlertChannel[], options: Partial<AlertDispatcherOptions> = {}) {
  const log = collectingLogger();
  const delays: number[] = [];
  const dispatcher = new AlertDispatcher(channels, {
    locale: 'en',
    retries: 3,
    timeoutMs: 1_000,
    logger: log.logger,
    random: () => 1,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  return { dispatcher, delays, ...log };
}

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('AlertDispatcher.deliver', () => {
  it('retries a transient failure with exponential backoff until it gets through', async () => {
    const channel = flakyChannel('ops', 2);
    const { dispatcher, delays, entries } = dispatcherFor([channel]);
    const results = await dispatcher.deliver(thresholdAlert);
    expect(results).toEqual([{ channel: 'ops', type: 'fake', ok: true, attempts: 3 }]);
    expect(delays).toEqual([500, 1_000]);
    expect(channel.sent).toHaveLength(1);
    expect(channel.sent[0]?.title).toBe('Budget alert: daily-global at 80% ($16.00 / $20.00)');
    const warnings = entries().filter((entry) => entry['level'] === 40);
    expect(warnings.map((entry) => entry['msg'])).toEqual([
      'alert to channel "ops" (fake) failed (attempt 1 of 4), retrying in 500 ms: 503',
      'alert to channel "ops" (fake) failed (attempt 2 of 4), retrying in 1000 ms: 503',
    ]);
    expect(warnings[0]).toMatchObject({ channel: 'ops', type: 'fake', attempt: 1 });
  });

  it("honours a server's Retry-After", async () => {
    const channel = flakyChannel(
      'ops',
      1,
      new AlertDeliveryError('429', { retryable: true, retryAfterMs: 2_500 }),
    );
    const { dispatcher, delays } = dispatcherFor([channel]);
    await dispatcher.deliver(testEvent);
    expect(delays).toEqual([2_500]);
  });

  it('gives up after the configured retries and reports the last reason', async () => {
    const { dispatcher, entries } = dispatcherFor([flakyChannel('ops', 99)], { retries: 2 });
    const results = await dispatcher.deliver(testEvent);
    expect(results).toEqual([{ channel: 'ops', type: 'fake', ok: false, error: '503', attempts: 3 }]);
    const errors = entries().filter((entry) => entry['level'] === 50);
    expect(errors.map((entry) => entry['msg'])).toEqual([
      'alert to channel "ops" (fake) failed after 3 attempts: 503',
    ]);
  });

  it('does not retry a refusal that cannot change', async () => {
    const channel = flakyChannel('ops', 99, new AlertDeliveryError('returned 401', { retryable: false }));
    const { dispatcher, delays } = dispatcherFor([channel]);
    const [result] = await dispatcher.deliver(testEvent);
    expect(result).toMatchObject({ ok: false, attempts: 1, error: 'returned 401' });
    expect(delays).toEqual([]);
  });

  it('an attempt that hangs times out and is retried', async () => {
    let calls = 0;
    const hanging: AlertChannel = {
      name: 'slow',
      type: 'fake',
      // Ignores its signal on purpose: the dispatcher's deadline must hold anyway.
      send: () => (++calls === 1 ? new Promise<void>(() => {}) : Promise.resolve()),
    };
    const { dispatcher } = dispatcherFor([hanging], { timeoutMs: 50 });
    const [result] = await dispatcher.deliver(testEvent);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
  });

  it('sends to the named channels only, and reports a name nobody configured', async () => {
    const ops = flakyChannel('ops', 0);
    const finance = flakyChannel('finance', 0);
    const { dispatcher } = dispatcherFor([ops, finance]);
    const results = await dispatcher.deliver(testEvent, ['finance', 'nobody']);
    expect(results).toEqual([
      { channel: 'finance', type: 'fake', ok: true, attempts: 1 },
      { channel: 'nobody', type: 'unknown', ok: false, error: 'no such channel is configured', attempts: 0 },
    ]);
    expect(ops.calls()).toBe(0);
  });

  it('formats in the configured locale', async () => {
    const channel = flakyChannel('ops', 0);
    const { dispatcher } = dispatcherFor([channel], { locale: 'zh' });
    await dispatcher.deliver(thresholdAlert);
    expect(channel.sent[0]?.title).toBe('预算提醒：daily-global 已用 80%（$16.00 / $20.00）');
  });
});

describe('AlertDispatcher.dispatch', () => {
  it('returns before anything is sent, never throws, and logs a channel that keeps failing', async () => {
    const broken: AlertChannel = {
      name: 'broken',
      type: 'fake',
      send: () => {
        throw new Error('synchronous blow-up');
      },
    };
    const working = flakyChannel('ops', 0);
    const { dispatcher, entries } = dispatcherFor([broken, working], { retries: 1 });
    expect(dispatcher.dispatch(thresholdAlert)).toBeUndefined();
    expect(working.calls()).toBe(0);
    await dispatcher.close();
    expect(working.sent).toHaveLength(1);
    const messages = entries().map((entry) => entry['msg']);
    expect(messages).toContain(
      'alert to channel "broken" (fake) failed (attempt 1 of 2), retrying in 500 ms: synchronous blow-up',
    );
    expect(messages).toContain(
      'alert to channel "broken" (fake) failed after 2 attempts: synchronous blow-up',
    );
  });

  it('close() stops waiting at its timeout and abandons what hangs', async () => {
    const stuck: AlertChannel = { name: 'stuck', type: 'fake', send: () => new Promise<void>(() => {}) };
    const { dispatcher, entries } = dispatcherFor([stuck], { timeoutMs: 60_000 });
    dispatcher.dispatch(testEvent);
    const started = Date.now();
    await dispatcher.close(100);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(entries().map((entry) => entry['msg'])).toContain(
      'gave up waiting for 1 alert delivery after 100 ms',
    );
    dispatcher.dispatch(testEvent);
    expect(entries().at(-1)?.['msg']).toBe('alert dropped: the alert dispatcher is closed');
  });
});

describe('secrets stay out of the logs', () => {
  it('webhook tokens, signing secrets and SMTP passwords never reach a log line', async () => {
    const token = 'hooktoken0123456789abcdefXYZ';
    const secret = 'signing-secret-never-logged';
    const password = 'smtp-password-never-logged';
    // The receiver echoes everything it can back: a careless service does.
    receiver = await startReceiver({ status: 500, body: `bad request to /${token} signed with ${secret}` });
    const env = {
      HOOK_URL: `${receiver.url}/hooks/${token}?key=${token}`,
      HOOK_SECRET: secret,
      SMTP_USER: 'alerts@example.com',
      SMTP_PASSWORD: password,
    };
    const config = parseAlertsConfig({
      retries: 1,
      channels: {
        hook: { type: 'webhook', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET' },
        // Port 9 on loopback: nobody listens, so the SMTP login never even starts.
        mail: {
          type: 'email',
          host: '127.0.0.1',
          port: 9,
          userEnv: 'SMTP_USER',
          passwordEnv: 'SMTP_PASSWORD',
          from: 'a@example.com',
          to: ['b@example.com'],
        },
      },
    });
    const { logger, lines } = collectingLogger();
    const dispatcher = createAlertDispatcher(config, env, logger, { sleep: async () => {} });
    const results = await dispatcher.deliver(testEvent);
    expect(results.map((result) => result.ok)).toEqual([false, false]);
    expect(receiver.requests).toHaveLength(2);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const everything = `${lines.join('\n')}\n${JSON.stringify(results)}`;
    for (const forbidden of [token, secret, password]) expect(everything).not.toContain(forbidden);
    expect(everything).toContain('/hooks/***?key=*** returned 500: bad request to /*** signed with ***');
  });
});
