import { describe, expect, it, type TestContext } from 'vitest';
import type { FakeUpstreamOptions } from '../../src/testing/index.js';
import { type CliFixture, closedPortURL, testCli } from './cli-fixture.js';

/** Only `fake` is then checked; the default `openai` preset has no key here. */
async function doctorCli(
  context: TestContext,
  upstreamOptions: FakeUpstreamOptions = {},
): Promise<CliFixture> {
  const cli = await testCli(context, upstreamOptions);
  cli.writeConfig({ ...cli.config(), defaultProvider: 'fake' });
  return cli;
}

// This upstream accepts only its own key, so the key the CLI sends is wrong.
const guardedUpstream: FakeUpstreamOptions = { apiKey: 'sk-the-right-key-0123456789' };

interface Report {
  ok: boolean;
  providers: Array<{
    provider: string;
    ok: boolean;
    checks: Array<{ name: string; ok: boolean; detail: string }>;
    models: string[];
    troubleshooting: Array<{ error: string; cause: string; fix: string }>;
  }>;
}

describe.concurrent('llmkit doctor', () => {
  it('checks key, DNS, connection and authentication, lists the models and exits 0', async (context) => {
    const cli = await doctorCli(context, { models: ['fake-model', 'fake-model-large'] });
    const result = await cli.run(['doctor']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`ok   fake (${cli.upstream.url})`);
    expect(result.stdout).toMatch(/✓ key\s+found \(env FAKE_API_KEY\)/);
    expect(result.stdout).toMatch(/✓ connect\s+127\.0\.0\.1:\d+ accepts connections/);
    expect(result.stdout).toMatch(/✓ auth\s+the key authenticates/);
    expect(result.stdout).toContain('models: fake-model, fake-model-large');
    expect(result.stdout).not.toContain(cli.apiKey);
    expect(cli.upstream.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /v1/models',
    ]);
    expect(cli.upstream.requests[0]?.headers['authorization']).toBe(`Bearer ${cli.apiKey}`);
  });

  it('a wrong key is an auth failure with its troubleshooting row, exit 3', async (context) => {
    const guarded = await doctorCli(context, guardedUpstream);
    const result = await guarded.run(['doctor']);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`FAIL fake (${guarded.upstream.url})`);
    expect(result.stdout).toMatch(/✗ auth\s+fake returned 401: Incorrect API key provided/);
    expect(result.stdout).toContain(
      '→ AuthenticationError: missing or invalid key. Fix: check the .env file is loaded and the key is right: `llmkit config check`',
    );
    expect(result.stdout).not.toContain(guarded.apiKey);
  });

  it('a closed port is a connection failure with its troubleshooting row, exit 3', async (context) => {
    const cli = await testCli(context);
    const baseURL = await closedPortURL();
    cli.writeConfig({
      ...cli.config(),
      defaultProvider: 'fake',
      providers: { fake: { baseURL, apiKeyEnv: 'FAKE_API_KEY' } },
    });
    const result = await cli.run(['doctor']);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`FAIL fake (${baseURL})`);
    expect(result.stdout).toMatch(/✗ connect\s+127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect(result.stdout).toMatch(/→ APIConnectionError: network problem.*Fix: check proxy settings/);
    expect(result.stdout).not.toContain('✓ auth');
  });

  it('a missing key stops before any request and names the variable', async (context) => {
    const cli = await doctorCli(context);
    const result = await cli.run(['doctor'], { env: { FAKE_API_KEY: undefined } });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/✗ key\s+missing: set FAKE_API_KEY/);
    expect(cli.upstream.requests).toHaveLength(0);
  });

  it('--json prints the report as one JSON document', async (context) => {
    const cli = await doctorCli(context, { models: ['fake-model', 'fake-model-large'] });
    const guarded = await doctorCli(context, guardedUpstream);
    const [ok, failed] = await Promise.all([
      cli.run(['doctor', '--json']),
      guarded.run(['doctor', '--json']),
    ]);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.providers).toHaveLength(1);
    expect(report.providers[0]).toMatchObject({
      provider: 'fake',
      ok: true,
      models: ['fake-model', 'fake-model-large'],
      troubleshooting: [],
    });
    expect(report.providers[0]?.checks.map((check) => [check.name, check.ok])).toEqual([
      ['key', true],
      ['dns', true],
      ['connect', true],
      ['auth', true],
      ['models', true],
    ]);

    expect(failed.code).toBe(3);
    const refused = JSON.parse(failed.stdout) as Report;
    expect(refused.ok).toBe(false);
    expect(refused.providers[0]?.checks.at(-1)).toMatchObject({ name: 'auth', ok: false });
    expect(refused.providers[0]?.troubleshooting).toEqual([
      expect.objectContaining({ error: 'AuthenticationError' }),
    ]);
  });
});
