import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../cli/run-cli.js';
import { type Receiver, startReceiver } from './alert-fixtures.js';

/*
 * `llmkit alerts test` as a user runs it (`npm run build` first): the built CLI in a temp
 * directory whose config points every channel at receivers in this process.
 */

const secrets = {
  HOOK_SECRET: 'hook-signing-secret-0123',
  SLACK_URL: '',
  DINGTALK_SECRET: 'SECdingtalk-secret-0123',
  TWILIO_TOKEN: 'twilio-token-0123456789',
  ALIYUN_SECRET: 'aliyun-secret-0123456789',
  SMTP_USER: 'alerts@example.com',
  SMTP_PASSWORD: 'smtp-password-0123456789',
};

let receiver: Receiver;
let smtp: SMTPServer;
let smtpPort: number;
let dir: string;
const mails: string[] = [];

beforeAll(async () => {
  // One reply every service reads as success: 2xx, code 0, errcode 0, Code OK.
  receiver = await startReceiver({
    status: 200,
    body: { code: 0, errcode: 0, errmsg: 'ok', Code: 'OK', msg: 'success' },
  });
  secrets.SLACK_URL = `${receiver.url}/services/T0001/B0001/slacktoken0123456789abcd`;
  smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) =>
      auth.password === secrets.SMTP_PASSWORD
        ? callback(null, { user: auth.username })
        : callback(new Error('Invalid username or password')),
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => {
        raw += chunk.toString('utf8');
      });
      stream.on('end', () => {
        mails.push(raw);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'llmkit-alerts-')));
});

afterAll(async () => {
  await receiver.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function channels(): Record<string, unknown> {
  return {
    hook: { type: 'webhook', url: `${receiver.url}/hook`, secretEnv: 'HOOK_SECRET' },
    slack: { type: 'slack', urlEnv: 'SLACK_URL' },
    feishu: { type: 'feishu', url: `${receiver.url}/open-apis/bot/v2/hook/abc` },
    dingtalk: {
      type: 'dingtalk',
      url: `${receiver.url}/robot/send?access_token=dingtoken0123456789`,
      secretEnv: 'DINGTALK_SECRET',
    },
    wecom: { type: 'wecom', url: `${receiver.url}/cgi-bin/webhook/send?key=wecomkey-0123456789` },
    mail: {
      type: 'email',
      host: '127.0.0.1',
      port: smtpPort,
      userEnv: 'SMTP_USER',
      passwordEnv: 'SMTP_PASSWORD',
      from: 'a@example.com',
      to: ['b@example.com'],
    },
    sms: {
      type: 'twilio',
      accountSid: 'AC0123',
      authTokenEnv: 'TWILIO_TOKEN',
      from: '+15550000000',
      to: ['+15550001111'],
      baseURL: receiver.url,
    },
    cn: {
      type: 'aliyun-sms',
      accessKeyId: 'LTAI-cli',
      accessKeySecretEnv: 'ALIYUN_SECRET',
      signName: '测试',
      templateCode: 'SMS_1',
      phoneNumbers: ['13800000000'],
      endpoint: receiver.url,
    },
    log: { type: 'log' },
  };
}

async function alertsTest(
  args: string[],
  alerts: Record<string, unknown>,
  env: Record<string, string> = secrets,
): Promise<CliResult> {
  writeFileSync(
    join(dir, 'llmkit.config.json'),
    JSON.stringify({ alerts: { retries: 0, ...alerts } }, null, 2),
  );
  const result = await runCli(['alerts', 'test', ...args], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, NO_COLOR: '1', ...env },
  });
  for (const value of Object.values(secrets)) {
    expect(result.stdout).not.toContain(value);
    expect(result.stderr).not.toContain(value);
  }
  return result;
}

describe('llmkit alerts test', () => {
  it('sends a test alert to every channel, one line each, exit 0', async () => {
    receiver.requests.length = 0;
    mails.length = 0;
    const result = await alertsTest([], { channels: channels() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      'hook (webhook): ok',
      'slack (slack): ok',
      'feishu (feishu): ok',
      'dingtalk (dingtalk): ok',
      'wecom (wecom): ok',
      'mail (email): ok',
      'sms (twilio): ok',
      'cn (aliyun-sms): ok',
      'log (log): ok',
    ]);
    // The log channel writes its alert where llmkit's warnings go.
    expect(result.stderr).toContain('llmkit: warning: llmkit test alert: This is a test alert from llmkit.');
    const paths = receiver.requests.map((request) => `${request.method} ${request.path}`).sort();
    expect(paths).toEqual([
      'GET /',
      'POST /2010-04-01/Accounts/AC0123/Messages.json',
      'POST /cgi-bin/webhook/send',
      'POST /hook',
      'POST /open-apis/bot/v2/hook/abc',
      'POST /robot/send',
      'POST /services/T0001/B0001/slacktoken0123456789abcd',
    ]);
    const hook = receiver.requests.find((request) => request.path === '/hook');
    expect(JSON.parse(hook?.body ?? '')).toMatchObject({ kind: 'test' });
    expect(hook?.headers['x-llmkit-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('Subject: llmkit test alert');
  });

  it('reports each failure in its line, says when the SMTP server refuses, and exits 3', async () => {
    receiver.replyWith({ body: { errcode: 310000, errmsg: 'sign not match' } });
    try {
      const { dingtalk, mail, log } = channels();
      const result = await alertsTest(
        [],
        { channels: { dingtalk, mail, log } },
        { ...secrets, SMTP_PASSWORD: 'wrong' },
      );
      expect(result.code).toBe(3);
      const lines = result.stdout.split('\n').filter(Boolean);
      expect(lines[0]).toBe('dingtalk (dingtalk): failed: DingTalk answered error 310000: sign not match');
      expect(lines[1]).toMatch(
        /^mail \(email\): failed: the SMTP server 127\.0\.0\.1:\d+ refused the login: 535 /,
      );
      expect(lines[2]).toBe('log (log): ok');
      expect(result.stderr).toContain(
        'alert to channel "dingtalk" (dingtalk) failed: DingTalk answered error 310000',
      );
    } finally {
      receiver.replyWith({
        status: 200,
        body: { code: 0, errcode: 0, errmsg: 'ok', Code: 'OK', msg: 'success' },
      });
    }
  });

  it('--channel picks channels; --json prints the results', async () => {
    receiver.requests.length = 0;
    const result = await alertsTest(['--channel', 'hook', 'wecom', '--json'], { channels: channels() });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      results: [
        { channel: 'hook', type: 'webhook', ok: true, attempts: 1 },
        { channel: 'wecom', type: 'wecom', ok: true, attempts: 1 },
      ],
    });
    expect(receiver.requests.map((request) => request.path).sort()).toEqual([
      '/cgi-bin/webhook/send',
      '/hook',
    ]);
  });

  it.each([
    [
      ['--channel', 'nope'],
      { channels: { log: { type: 'log' } } },
      secrets,
      'no alert channel is named "nope"',
    ],
    [
      [],
      { channels: { ops: { type: 'webhook', url: 'ftp://example.com' } } },
      secrets,
      'alerts.channels.ops.url must be an http(s) URL',
    ],
    [[], { channels: {} }, secrets, 'no alert channels are configured'],
    [
      [],
      { channels: { slack: { type: 'slack', urlEnv: 'SLACK_URL' } } },
      {},
      'alerts.channels.slack.urlEnv names SLACK_URL, which is not set',
    ],
  ])('%j with a config problem is one line and exit 2', async (args, alerts, env, expected) => {
    const result = await alertsTest(args, alerts, env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(expected);
  });
});
