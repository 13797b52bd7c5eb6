import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertDeliveryError } from '../../src/alerts/alert-delivery-error.js';
import {
  channelFrom,
  messageOf,
  type Receiver,
  send,
  startReceiver,
  testEvent,
  thresholdAlert,
} from './alert-fixtures.js';

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

async function failure(promise: Promise<void>): Promise<AlertDeliveryError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AlertDeliveryError);
  return error as AlertDeliveryError;
}

describe('Twilio', () => {
  const token = 'twilio-auth-token-0123456789';
  const twilio = (to: string[] = ['+15550001111', '+15550002222']) =>
    channelFrom(
      {
        type: 'twilio',
        accountSid: 'AC0123456789abcdef',
        authTokenEnv: 'TWILIO_TOKEN',
        from: '+15559990000',
        to,
        baseURL: receiver.url,
      },
      { TWILIO_TOKEN: token },
    );
  const created = { status: 201, body: { sid: 'SM0123', status: 'queued' } };

  it('POSTs one form-encoded message per recipient to Messages.json with Basic auth', async () => {
    receiver.replyWith(created);
    await send(twilio(), messageOf(thresholdAlert));
    expect(receiver.requests).toHaveLength(2);
    for (const [index, request] of receiver.requests.entries()) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/2010-04-01/Accounts/AC0123456789abcdef/Messages.json');
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const [scheme, credentials] = String(request.headers.authorization).split(' ');
      expect(scheme).toBe('Basic');
      expect(Buffer.from(credentials ?? '', 'base64').toString('utf8')).toBe(`AC0123456789abcdef:${token}`);
      const form = new URLSearchParams(request.body);
      expect(form.get('To')).toBe(['+15550001111', '+15550002222'][index]);
      expect(form.get('From')).toBe('+15559990000');
      expect(form.get('Body')).toContain('Budget alert: daily-global at 80% ($16.00 / $20.00)');
    }
  });

  it("Twilio's error code and message surface; the token never does", async () => {
    receiver.replyWith({
      status: 400,
      body: {
        code: 21211,
        message: "The 'To' number +15550001111 is not a valid phone number.",
        status: 400,
      },
    });
    const error = await failure(send(twilio(['+15550001111']), messageOf(testEvent)));
    expect(error.message).toContain(
      "returned 400: Twilio error 21211: The 'To' number +15550001111 is not a valid",
    );
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(token);
  });

  it('a retry of the same alert texts only the numbers that did not get it', async () => {
    receiver.replyWith(
      created,
      { status: 500, body: { code: 20500, message: 'Internal Server Error' } },
      created,
    );
    const channel = twilio();
    const message = messageOf(testEvent);
    const error = await failure(send(channel, message));
    expect(error.retryable).toBe(true);
    await send(channel, message);
    const recipients = receiver.requests.map((request) => new URLSearchParams(request.body).get('To'));
    expect(recipients).toEqual(['+15550001111', '+15550002222', '+15550002222']);
  });
});

/** RFC 3986 as Alibaba Cloud's signature mechanism states it: only A-Z a-z 0-9 - _ . ~ stay. */
function rfc3986(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) => {
      const character = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(character)
        ? character
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** The documented signature of a GET, recomputed from what the server received. */
function expectedSignature(query: URLSearchParams, secret: string): string {
  const pairs = [...query.entries()].filter(([name]) => name !== 'Signature');
  pairs.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  const canonical = pairs.map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`).join('&');
  const stringToSign = `GET&${rfc3986('/')}&${rfc3986(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

describe('Aliyun SMS SendSms', () => {
  const secret = 'aliyun-access-key-secret-0123';
  const aliyun = (extra: Record<string, unknown> = {}) =>
    channelFrom(
      {
        type: 'aliyun-sms',
        accessKeyId: 'LTAI-test-id',
        accessKeySecretEnv: 'ALIYUN_SECRET',
        signName: '阿里云短信测试',
        templateCode: 'SMS_154950909',
        phoneNumbers: ['13800000000', '13900000000'],
        endpoint: receiver.url,
        ...extra,
      },
      { ALIYUN_SECRET: secret },
    );
  const ok = { body: { Code: 'OK', Message: 'OK', BizId: '9006197469364984400', RequestId: 'F655A8D5' } };

  it('GETs SendSms with the common parameters and a signature that verifies', async () => {
    receiver.replyWith(ok);
    await send(
      aliyun({ templateParams: { name: 'budget', value: 'percent', note: 'title' } }),
      messageOf(thresholdAlert, 'zh'),
    );
    const [request] = receiver.requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/');
    const query = request?.query ?? new URLSearchParams();
    expect(Object.fromEntries(query)).toMatchObject({
      Action: 'SendSms',
      Version: '2017-05-25',
      Format: 'JSON',
      RegionId: 'cn-hangzhou',
      AccessKeyId: 'LTAI-test-id',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      PhoneNumbers: '13800000000,13900000000',
      SignName: '阿里云短信测试',
      TemplateCode: 'SMS_154950909',
    });
    expect(query.get('Timestamp')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(query.get('SignatureNonce')).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(query.get('TemplateParam') ?? '')).toEqual({
      name: 'daily-global',
      value: '80%',
      note: '预算提醒：daily-global 已用 80%（$16.00 / $20.00）',
    });
    expect(query.get('Signature')).toBe(expectedSignature(query, secret));
    // Spaces travel as %20, never +, which the signature would not match.
    expect(request?.url).not.toContain('+');
  });

  it('a second alert carries a fresh nonce', async () => {
    receiver.replyWith(ok);
    const channel = aliyun();
    await send(channel, messageOf(testEvent));
    await send(channel, messageOf(testEvent));
    const nonces = receiver.requests.map((request) => request.query.get('SignatureNonce'));
    expect(new Set(nonces).size).toBe(2);
    expect(JSON.parse(receiver.requests[0]?.query.get('TemplateParam') ?? '')).toEqual({
      title: 'llmkit test alert',
    });
  });

  it('HTTP 200 with Code ≠ OK is a failure', async () => {
    receiver.replyWith({
      body: { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发分钟级流控Permits:1', RequestId: 'x' },
    });
    const error = await failure(send(aliyun(), messageOf(testEvent)));
    expect(error.message).toContain('Aliyun SMS answered error isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控');
    expect(error.retryable).toBe(false);
  });

  it('a refused signature (HTTP 400) names the code, not the key or the secret', async () => {
    receiver.replyWith({
      status: 400,
      body: {
        Code: 'SignatureDoesNotMatch',
        Message: 'Specified signature is not matched with our calculation.',
      },
    });
    const error = await failure(send(aliyun(), messageOf(testEvent)));
    expect(error.message).toContain('SendSms returned 400: SignatureDoesNotMatch: Specified signature');
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('LTAI-test-id');
  });

  it('throttling is worth a retry', async () => {
    receiver.replyWith({
      body: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' },
    });
    const error = await failure(send(aliyun(), messageOf(testEvent)));
    expect(error.retryable).toBe(true);
  });
});
