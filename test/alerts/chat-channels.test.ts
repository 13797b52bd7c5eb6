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

/*
 * Each chat channel against a local receiver that checks what the service's documentation
 * asks for, recomputing every signature here from the documented algorithm.
 */

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

const only = () => {
  expect(receiver.requests).toHaveLength(1);
  return receiver.requests[0]!;
};

async function failure(promise: Promise<void>): Promise<AlertDeliveryError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AlertDeliveryError);
  return error as AlertDeliveryError;
}

describe('webhook', () => {
  const secret = 'whsec-0123456789abcdef';

  it('posts the event as JSON, signed with HMAC-SHA256 over "<timestamp>.<body>"', async () => {
    const channel = channelFrom(
      {
        type: 'webhook',
        url: `${receiver.url}/hooks/llmkit`,
        secretEnv: 'HOOK_SECRET',
        headers: { 'x-team': 'ops' },
      },
      { HOOK_SECRET: secret },
    );
    const before = Math.floor(Date.now() / 1000);
    await send(channel, messageOf(thresholdAlert));
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hooks/llmkit');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-team']).toBe('ops');
    expect(JSON.parse(request.body)).toEqual(thresholdAlert);
    const timestamp = String(request.headers['x-llmkit-timestamp']);
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const expected = createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex');
    expect(request.headers['x-llmkit-signature']).toBe(`sha256=${expected}`);
  });

  it('sends no signature without a secret', async () => {
    await send(channelFrom({ type: 'webhook', url: receiver.url }), messageOf(testEvent));
    expect(only().headers['x-llmkit-signature']).toBeUndefined();
    expect(only().headers['x-llmkit-timestamp']).toMatch(/^\d+$/);
  });

  it('a 5xx is a retryable failure whose message masks the token in the URL', async () => {
    const token = 'T0KEN9a8b7c6d5e4f3g2h1';
    receiver.replyWith({ status: 503, body: `upstream down for ${token}` });
    const channel = channelFrom(
      { type: 'webhook', urlEnv: 'HOOK_URL' },
      { HOOK_URL: `${receiver.url}/in/${token}` },
    );
    const error = await failure(send(channel, messageOf(testEvent)));
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(503);
    expect(error.message).toContain('/in/*** returned 503');
    expect(error.message).not.toContain(token);
  });

  it('a 4xx is a failure not worth retrying', async () => {
    receiver.replyWith({ status: 401, body: 'bad signature' });
    const error = await failure(
      send(channelFrom({ type: 'webhook', url: receiver.url }), messageOf(testEvent)),
    );
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('returned 401: bad signature');
  });
});

describe('Slack incoming webhook', () => {
  it('posts { text, blocks } with the title in a header block', async () => {
    await send(
      channelFrom({ type: 'slack', url: `${receiver.url}/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX` }),
      messageOf(thresholdAlert),
    );
    const request = only();
    expect(request.path).toBe('/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX');
    expect(request.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request.body) as {
      text: string;
      blocks: Array<{ type: string; text: { type: string; text: string } }>;
    };
    expect(body.text).toContain('Budget alert: daily-global at 80% ($16.00 / $20.00)');
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Budget alert: daily-global at 80% ($16.00 / $20.00)' },
    });
    expect(body.blocks[1]?.type).toBe('section');
    expect(body.blocks[1]?.text.type).toBe('mrkdwn');
  });

  it("Slack's error strings surface, and the token path is masked", async () => {
    receiver.replyWith({ status: 404, body: 'channel_not_found' });
    const channel = channelFrom({
      type: 'slack',
      url: `${receiver.url}/services/T0001/B0001/SECRETsecretSECRET0123`,
    });
    const error = await failure(send(channel, messageOf(testEvent)));
    expect(error.message).toContain('returned 404: channel_not_found');
    expect(error.message).not.toContain('SECRETsecretSECRET0123');
  });
});

describe('Feishu custom bot', () => {
  const secret = 'feishu-signing-secret';

  it('sends timestamp (seconds) and sign = base64(HMAC-SHA256(key = timestamp\\nsecret, empty message))', async () => {
    const channel = channelFrom(
      { type: 'feishu', urlEnv: 'FEISHU_URL', secretEnv: 'FEISHU_SECRET' },
      { FEISHU_URL: `${receiver.url}/open-apis/bot/v2/hook/0a1b2c3d-0000`, FEISHU_SECRET: secret },
    );
    receiver.replyWith({ body: { code: 0, msg: 'success', data: {} } });
    await send(channel, messageOf(thresholdAlert, 'zh'));
    const body = JSON.parse(only().body) as {
      timestamp: string;
      sign: string;
      msg_type: string;
      content: { text: string };
    };
    expect(body.msg_type).toBe('text');
    expect(body.content.text).toContain('预算提醒：daily-global 已用 80%（$16.00 / $20.00）');
    expect(body.timestamp).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(body.timestamp) - Date.now() / 1000)).toBeLessThan(5);
    const expected = createHmac('sha256', `${body.timestamp}\n${secret}`)
      .update(Buffer.alloc(0))
      .digest('base64');
    expect(body.sign).toBe(expected);
  });

  it('without a secret, no timestamp or sign', async () => {
    receiver.replyWith({ body: { code: 0, msg: 'success', data: {} } });
    await send(channelFrom({ type: 'feishu', url: receiver.url }), messageOf(testEvent));
    const body = JSON.parse(only().body) as Record<string, unknown>;
    expect(body).not.toHaveProperty('sign');
    expect(body).not.toHaveProperty('timestamp');
  });

  it('HTTP 200 with code ≠ 0 is a failure', async () => {
    receiver.replyWith({
      body: {
        code: 19021,
        data: {},
        msg: 'sign match fail or timestamp is not within one hour from current time',
      },
    });
    const error = await failure(
      send(channelFrom({ type: 'feishu', url: receiver.url }), messageOf(testEvent)),
    );
    expect(error.message).toContain('Feishu answered error 19021: sign match fail');
    expect(error.retryable).toBe(false);
  });

  it('the rate limit code 11232 is worth a retry', async () => {
    receiver.replyWith({ body: { code: 11232, msg: 'frequency limited' } });
    const error = await failure(
      send(channelFrom({ type: 'feishu', url: receiver.url }), messageOf(testEvent)),
    );
    expect(error.retryable).toBe(true);
  });
});

describe('DingTalk robot', () => {
  const secret = 'SECdingtalk0123456789abcdef';

  it('appends timestamp (ms) and sign = urlencode(base64(HMAC-SHA256(secret, timestamp\\nsecret)))', async () => {
    const channel = channelFrom(
      { type: 'dingtalk', urlEnv: 'DINGTALK_URL', secretEnv: 'DINGTALK_SECRET' },
      { DINGTALK_URL: `${receiver.url}/robot/send?access_token=abc123token`, DINGTALK_SECRET: secret },
    );
    receiver.replyWith({ body: { errcode: 0, errmsg: 'ok' } });
    await send(channel, messageOf(thresholdAlert));
    const request = only();
    expect(request.path).toBe('/robot/send');
    expect(request.query.get('access_token')).toBe('abc123token');
    const timestamp = request.query.get('timestamp') ?? '';
    expect(timestamp).toMatch(/^\d{13}$/);
    expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(5_000);
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    expect(request.query.get('sign')).toBe(expected);
    // URL-encoded on the wire: Base64's + / = never appear raw in the query.
    const rawSign = /[?&]sign=([^&]*)/.exec(request.url)?.[1] ?? '';
    expect(rawSign).toBe(encodeURIComponent(expected));
    expect(rawSign).not.toMatch(/[+/=]/);
    const body = JSON.parse(request.body) as { msgtype: string; text: { content: string } };
    expect(body.msgtype).toBe('text');
    expect(body.text.content).toContain('Budget alert: daily-global');
  });

  it('HTTP 200 with errcode ≠ 0 is a failure, and the token is masked', async () => {
    receiver.replyWith({ body: { errcode: 310000, errmsg: 'sign not match' } });
    const channel = channelFrom({
      type: 'dingtalk',
      url: `${receiver.url}/robot/send?access_token=abc123token`,
    });
    const error = await failure(send(channel, messageOf(testEvent)));
    expect(error.message).toContain('DingTalk answered error 310000: sign not match');
    expect(error.message).not.toContain('abc123token');
  });

  it('errcode 130101 (too fast) is worth a retry', async () => {
    receiver.replyWith({ body: { errcode: 130101, errmsg: 'send too fast' } });
    const error = await failure(
      send(channelFrom({ type: 'dingtalk', url: receiver.url }), messageOf(testEvent)),
    );
    expect(error.retryable).toBe(true);
  });
});

describe('WeCom group robot', () => {
  it('posts { msgtype: "text", text: { content } } to the key URL', async () => {
    receiver.replyWith({ body: { errcode: 0, errmsg: 'ok' } });
    const channel = channelFrom(
      { type: 'wecom', urlEnv: 'WECOM_URL' },
      { WECOM_URL: `${receiver.url}/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa` },
    );
    await send(channel, messageOf(thresholdAlert, 'zh'));
    const request = only();
    expect(request.path).toBe('/cgi-bin/webhook/send');
    expect(request.query.get('key')).toBe('693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa');
    const body = JSON.parse(request.body) as { msgtype: string; text: { content: string } };
    expect(body).toEqual({ msgtype: 'text', text: { content: expect.stringContaining('预算提醒') } });
  });

  it('clips content to 2048 bytes of UTF-8', async () => {
    receiver.replyWith({ body: { errcode: 0, errmsg: 'ok' } });
    const long = { ...messageOf(testEvent, 'zh'), text: '预'.repeat(2_000) };
    await send(channelFrom({ type: 'wecom', url: receiver.url }), long);
    const content = (JSON.parse(only().body) as { text: { content: string } }).text.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(2048);
    expect(content.endsWith('…')).toBe(true);
  });

  it('HTTP 200 with errcode ≠ 0 is a failure without the key', async () => {
    receiver.replyWith({ body: { errcode: 93000, errmsg: 'invalid webhook url' } });
    const channel = channelFrom({
      type: 'wecom',
      url: `${receiver.url}/cgi-bin/webhook/send?key=secret-key-1234`,
    });
    const error = await failure(send(channel, messageOf(testEvent)));
    expect(error.message).toContain('WeCom answered error 93000: invalid webhook url');
    expect(error.message).not.toContain('secret-key-1234');
  });
});

describe('transport failures', () => {
  it('a closed port is a retryable "could not reach" without the token', async () => {
    const url = `${receiver.url}/hook/abcdefghij0123456789`;
    await receiver.close();
    const error = await failure(send(channelFrom({ type: 'slack', url }), messageOf(testEvent)));
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/could not reach http:\/\/127\.0\.0\.1:\d+\/hook\/\*\*\*: ECONNREFUSED/);
    receiver = await startReceiver();
  });
});
