import { describe, expect, it } from 'vitest';
import { closedPortURL, expectOneErrorLine, testCli } from './cli-fixture.js';

// Each mistake costs the user one line naming the problem and the fix, and costs no upstream call.
describe.concurrent('usage and config mistakes: exit 2, one line, no upstream request', () => {
  it('a missing prompt file', async (context) => {
    const cli = await testCli(context);
    const line = expectOneErrorLine(await cli.run(['run', '--file', 'no-such-prompt.txt']), 2);
    expect(line).toContain('no-such-prompt.txt');
    expect(line).toContain('no such file');
    expect(line).toContain('check the path');
    expect(cli.upstream.requests).toHaveLength(0);
  });

  it('an empty stdin instead of a prompt', async (context) => {
    const cli = await testCli(context);
    const line = expectOneErrorLine(await cli.run(['run', '-'], { input: '  \n' }), 2);
    expect(line).toContain('no prompt given');
    expect(cli.upstream.requests).toHaveLength(0);
  });

  it('a config file that is not valid JSON names the file and the position', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig('{ "defaultModel": "fake/fake-model", }');
    const line = expectOneErrorLine(await cli.run(['run', 'hello']), 2);
    expect(line).toMatch(/llmkit\.config\.json:1:\d+: invalid JSON/);
    expect(line).toContain('llmkit config check');
    expect(cli.upstream.requests).toHaveLength(0);
  });

  it('an unknown config key names the file, the key and the known ones', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig({ ...cli.config(), retyr: { maxRetries: 1 } });
    const line = expectOneErrorLine(await cli.run(['run', 'hello']), 2);
    expect(line).toContain('llmkit.config.json: retyr is not a known setting');
    expect(line).toMatch(/did you mean "retry"|known keys: .*retry/);
    expect(cli.upstream.requests).toHaveLength(0);
  });

  it('an unknown flag', async (context) => {
    const cli = await testCli(context);
    const line = expectOneErrorLine(await cli.run(['run', '--temprature', '0.5', 'hello']), 2);
    expect(line).toContain("unknown option '--temprature'");
    expect(line).toContain('Did you mean --temperature?');
    expect(line).toContain('--help');
    expect(cli.upstream.requests).toHaveLength(0);
  });

  it('--temperature abc', async (context) => {
    const cli = await testCli(context);
    const line = expectOneErrorLine(await cli.run(['run', '--temperature', 'abc', 'hello']), 2);
    expect(line).toContain('--temperature must be a number, got "abc"');
    expect(cli.upstream.requests).toHaveLength(0);
  });

  it('a missing API key names the variable to set', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run(['run', 'hello'], { env: { FAKE_API_KEY: undefined } });
    const line = expectOneErrorLine(result, 2);
    expect(line).toContain('ConfigError');
    expect(line).toContain('set FAKE_API_KEY');
    expect(cli.upstream.requests).toHaveLength(0);
  });

  it('an apiKey inside the config file is refused without echoing it', async (context) => {
    const cli = await testCli(context);
    const pasted = 'sk-pasted-into-the-config-0123456789';
    const config = cli.config();
    cli.writeConfig({ ...config, providers: { fake: { baseURL: cli.upstream.url, apiKey: pasted } } });
    const line = expectOneErrorLine(await cli.run(['run', 'hello']), 2);
    expect(line).toContain('llmkit.config.json: providers.fake.apiKey is not allowed');
    expect(line).toContain('FAKE_API_KEY');
    expect(line).not.toContain(pasted);
    expect(cli.upstream.requests).toHaveLength(0);
  });
});

describe.concurrent('the upstream refuses or fails: exit 3, one line', () => {
  it('a 401 is not retried and the hint points at `llmkit config check`', async (context) => {
    const cli = await testCli(context);
    cli.upstream.enqueue({ status: 401 });
    const line = expectOneErrorLine(await cli.run(['run', 'hello']), 3);
    expect(line).toMatch(/^llmkit: AuthenticationError: fake\/fake-model returned 401/);
    expect(line).toContain('llmkit config check');
    expect(cli.upstream.requests).toHaveLength(1);
  });

  it('with --json the failure is also one JSON object on stdout', async (context) => {
    const cli = await testCli(context);
    cli.upstream.enqueue({ status: 401 });
    const result = await cli.run(['run', '--json', 'hello']);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      error: { name: 'AuthenticationError', code: 'authentication', status: 401, provider: 'fake' },
    });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  // The same HTML answer to a streaming request is reported as a retried StreamInterruptedError
  // instead (a bug in the provider adapter, see the report); this covers the non-streaming path.
  it('an HTML page with status 200 is an InvalidResponseError, not retried', async (context) => {
    const cli = await testCli(context);
    cli.upstream.enqueue({ body: '<!doctype html><html><body>Sign in</body></html>' });
    const line = expectOneErrorLine(await cli.run(['run', '--no-stream', 'hello']), 3);
    expect(line).toMatch(/^llmkit: InvalidResponseError: /);
    expect(line).toContain('base URL');
    expect(cli.upstream.requests).toHaveLength(1);
  });

  it('a closed port is an APIConnectionError after the retries', async (context) => {
    const cli = await testCli(context);
    const config = cli.config();
    cli.writeConfig({
      ...config,
      providers: { fake: { baseURL: await closedPortURL(), apiKeyEnv: 'FAKE_API_KEY' } },
    });
    const line = expectOneErrorLine(await cli.run(['run', 'hello']), 3);
    expect(line).toMatch(/^llmkit: APIConnectionError: could not reach fake: ECONNREFUSED/);
    expect(line).toContain('base URL is reachable');
  });
});
