import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliFixture, cliFixture } from './cli-fixture.js';
import type { CliResult } from './run-cli.js';

let cli: CliFixture;
beforeAll(async () => {
  cli = await cliFixture();
});
afterAll(() => cli.close());

describe('a canary key never leaves the Authorization header', () => {
  it('is absent from stdout, stderr, the log file and --json, even when the upstream echoes it', async () => {
    const secret = randomBytes(18).toString('base64url'); // 24 characters
    const canary = `sk-canary-${secret}`;
    const logFile = join(cli.dir, 'logs', 'llmkit.log');
    const env = {
      FAKE_API_KEY: canary,
      LLMKIT_LOG_FILE: logFile,
      LLMKIT_LOG_LEVEL: 'debug',
      LLMKIT_DEBUG: 'http',
    };
    // A careless upstream (or proxy) that puts the header it got into its error message.
    cli.upstream.setDefault((request) => {
      const last = request.body.messages.at(-1)?.content ?? '';
      if (!String(last).includes('reject me')) return {};
      const message = `Invalid Authorization header: ${request.headers['authorization']}`;
      return { status: 401, body: { error: { message, type: 'invalid_request_error' } } };
    });

    const run = async (args: string[], code: number, input?: string): Promise<CliResult> => {
      const result = await cli.run(args, { env, ...(input === undefined ? {} : { input }) });
      expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(code);
      return result;
    };
    // Independent processes, so they may overlap; the log file is appended to by each.
    const results = await Promise.all([
      run(['run', 'reject me'], 3),
      run(['run', '--no-stream', 'reject me'], 3),
      run(['run', '--json', 'reject me'], 3),
      run(['--verbose', 'run', 'reject me'], 3),
      run(['run', 'hello'], 0),
      run(['run', '--json', 'hello'], 0),
      run(['chat'], 0, 'reject me\nhello\n/exit\n'),
      run(['config', 'check'], 0),
      run(['config', 'check', '--json'], 0),
      run(['doctor', '--provider', 'fake', '--json'], 0),
    ]);
    const [streamed, , refusedJson, , , answerJson] = results;

    // The upstream did get the key, and did echo it back.
    // Six runs and two chat turns; a 401 is not retried. Plus doctor's GET /models.
    expect(cli.upstream.requests).toHaveLength(9);
    for (const request of cli.upstream.requests)
      expect(request.headers['authorization']).toBe(`Bearer ${canary}`);
    // What the user sees of the echo is the masked key: the echo path really ran.
    expect(streamed?.stderr).toContain(`Invalid Authorization header: Bearer sk-…${canary.slice(-4)}`);
    expect(JSON.parse(refusedJson?.stdout ?? '')).toMatchObject({
      ok: false,
      error: { code: 'authentication' },
    });
    expect(JSON.parse(answerJson?.stdout ?? '')).toMatchObject({ ok: true, text: 'echo: hello' });

    expect(existsSync(logFile)).toBe(true);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('"event":"http"');
    expect(log).toContain('"authorization":"[redacted]"');

    const everything = [...results.flatMap((result) => [result.stdout, result.stderr]), log];
    for (const text of everything) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain(secret);
    }
  });
});
