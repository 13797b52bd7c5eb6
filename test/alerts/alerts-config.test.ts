import { describe, expect, it } from 'vitest';
import { createChannels } from '../../src/alerts/create-channels.js';
import { parseAlertsConfig } from '../../src/alerts/parse-alerts-config.js';
import { ConfigError } from '../../src/errors/index.js';
import { collectingLogger } from './alert-fixtures.js';

function problem(config: unknown): string {
  try {
    parseAlertsConfig(config);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).detail;
  }
  throw new Error('the config was accepted');
}

describe('the alerts config', () => {
  it('fills the defaults', () => {
    expect(parseAlertsConfig(undefined)).toEqual({
      locale: 'en',
      channels: {},
      retries: 3,
      timeoutMs: 5_000,
    });
    const config = parseAlertsConfig({
      channels: {
        mail: { type: 'email', host: 'smtp.example.com', from: 'a@example.com', to: ['b@example.com'] },
        sms: { type: 'twilio', accountSid: 'AC1', authTokenEnv: 'TWILIO_TOKEN', from: '+1', to: ['+2'] },
        cn: {
          type: 'aliyun-sms',
          accessKeyId: 'id',
          accessKeySecretEnv: 'ALIYUN_SECRET',
          signName: 's',
          templateCode: 'SMS_1',
          phoneNumbers: ['13800000000'],
        },
      },
    });
    expect(config.channels['mail']).toMatchObject({ port: 587, secure: false });
    expect(config.channels['sms']).toMatchObject({ baseURL: 'https://api.twilio.com' });
    expect(config.channels['cn']).toMatchObject({
      endpoint: 'https://dysmsapi.aliyuncs.com',
      templateParams: { title: 'title' },
    });
  });

  it.each([
    [
      { channels: { ops: { type: 'webhook', url: 'ftp://example.com/hook' } } },
      'alerts.channels.ops.url must be an http(s) URL',
    ],
    [
      { channels: { ops: { type: 'slack' } } },
      'alerts.channels.ops must set exactly one of url and urlEnv (urlEnv keeps the token in the URL out of the file)',
    ],
    [
      { channels: { ops: { type: 'slack', url: 'https://hooks.slack.com/x', urlEnv: 'SLACK_URL' } } },
      'alerts.channels.ops must set exactly one of url and urlEnv',
    ],
    [
      { channels: { ops: { type: 'feishu', urlEnv: 'not a name' } } },
      'alerts.channels.ops.urlEnv must be an environment variable name',
    ],
    [
      { channels: { ops: { type: 'pager' } } },
      'alerts.channels.ops.type must be an object whose type is one of log, webhook, slack, feishu, dingtalk, wecom, email, twilio, aliyun-sms',
    ],
    [
      { channels: { ops: { type: 'dingtalk', url: 'https://x.example', secret: 'SEC1' } } },
      'alerts.channels.ops.secret is not a known setting; did you mean "secretEnv"?',
    ],
    [
      {
        channels: {
          ops: { type: 'webhook', url: 'https://x.example', headers: { Authorization: 'Bearer x' } },
        },
      },
      'alerts.channels.ops.headers must not carry credentials',
    ],
    [
      { channels: { ops: { type: 'email', host: 'h', port: 70_000, from: 'a', to: ['b'] } } },
      'alerts.channels.ops.port must be a port number from 1 to 65535',
    ],
    [
      { channels: { ops: { type: 'email', host: 'h', from: 'a', to: [] } } },
      'alerts.channels.ops.to must name at least one of the recipient addresses',
    ],
    [
      { channels: { ops: { type: 'twilio', accountSid: 'AC1', from: '+1', to: ['+2'] } } },
      'alerts.channels.ops.authTokenEnv is required',
    ],
    [{ retries: -1 }, 'alerts.retries must be a whole number >= 0'],
    [{ timeoutMs: 0 }, 'alerts.timeoutMs must be a whole number > 0'],
    [{ locale: 'fr' }, 'alerts.locale must be "en" or "zh"'],
    [
      { dailySummary: { enabled: true, at: '9am' } },
      'alerts.dailySummary.at must be a time of day as HH:MM, e.g. 09:00',
    ],
    [
      { dailySummary: { enabled: true, at: '24:00' } },
      'alerts.dailySummary.at must be a time of day as HH:MM',
    ],
    [
      {
        channels: { ops: { type: 'log' } },
        dailySummary: { enabled: true, at: '09:00', channels: ['finance'] },
      },
      'alerts.dailySummary.channels must name configured channels: "finance" is not one (configured: ops)',
    ],
    [{ channels: { 'bad name!': { type: 'log' } } }, 'alerts.channels.bad name! is not a valid channel name'],
  ])('%j → %s', (config, expected) => {
    expect(problem(config)).toContain(expected);
  });

  it('never echoes a value, so a token pasted in the wrong place stays out of the error', () => {
    const token = 'xoxb-0123456789-secret';
    expect(problem({ channels: { ops: { type: 'slack', url: `hooks.slack.com/${token}` } } })).not.toContain(
      token,
    );
    expect(problem({ channels: { ops: { type: 'slack', urlEnv: token } } })).not.toContain(token);
  });
});

describe('createChannels', () => {
  const { logger } = collectingLogger();
  const build = (channel: Record<string, unknown>, env: Record<string, string> = {}) =>
    createChannels(parseAlertsConfig({ channels: { ops: channel } }), env, logger);

  it('builds one adapter per channel, named and typed', () => {
    const channels = createChannels(
      parseAlertsConfig({
        channels: {
          log: { type: 'log' },
          hook: { type: 'webhook', url: 'https://example.com/hook' },
          chat: { type: 'wecom', urlEnv: 'WECOM_URL' },
        },
      }),
      { WECOM_URL: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' },
      logger,
    );
    expect(channels.map((channel) => [channel.name, channel.type])).toEqual([
      ['log', 'log'],
      ['hook', 'webhook'],
      ['chat', 'wecom'],
    ]);
  });

  it.each([
    [{ type: 'slack', urlEnv: 'SLACK_URL' }, 'alerts.channels.ops.urlEnv names SLACK_URL, which is not set'],
    [
      { type: 'webhook', url: 'https://x.example', secretEnv: 'HOOK_SECRET' },
      'alerts.channels.ops.secretEnv names HOOK_SECRET, which is not set',
    ],
    [
      { type: 'twilio', accountSid: 'AC1', authTokenEnv: 'TWILIO_TOKEN', from: '+1', to: ['+2'] },
      'alerts.channels.ops.authTokenEnv names TWILIO_TOKEN',
    ],
    [
      { type: 'email', host: 'h', passwordEnv: 'SMTP_PASSWORD', from: 'a', to: ['b'] },
      'alerts.channels.ops.passwordEnv names SMTP_PASSWORD',
    ],
    [
      {
        type: 'aliyun-sms',
        accessKeyId: 'i',
        accessKeySecretEnv: 'ALIYUN_SECRET',
        signName: 's',
        templateCode: 't',
        phoneNumbers: ['1'],
      },
      'alerts.channels.ops.accessKeySecretEnv names ALIYUN_SECRET',
    ],
  ])('a missing variable is a ConfigError naming it: %j', (channel, expected) => {
    expect(() => build(channel)).toThrow(ConfigError);
    expect(() => build(channel)).toThrow(expected);
  });

  it('a urlEnv that does not hold an http(s) URL is a ConfigError that does not echo it', () => {
    const value = 'not-a-url-but-a-secret-0123';
    expect(() => build({ type: 'feishu', urlEnv: 'FEISHU_URL' }, { FEISHU_URL: value })).toThrow(
      'FEISHU_URL (named by alerts.channels.ops.urlEnv) must hold an http(s) URL',
    );
    expect(() => build({ type: 'feishu', urlEnv: 'FEISHU_URL' }, { FEISHU_URL: value })).not.toThrow(value);
  });
});
