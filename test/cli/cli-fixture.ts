import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type TestContext } from 'vitest';
import { createFakeUpstream, type FakeUpstream, type FakeUpstreamOptions } from '../../src/testing/index.js';
import { type CliOptions, type CliProcess, type CliResult, runCli, startCli } from './run-cli.js';

/** Variables to add to the child's environment; `undefined` removes a default one. */
export type EnvChanges = Record<string, string | undefined>;

export interface CliFixture {
  /** The working directory and HOME of every run. */
  readonly dir: string;
  readonly upstream: FakeUpstream;
  /** The key the CLI gets in FAKE_API_KEY unless a test changes it. */
  readonly apiKey: string;
  /** The config written at the start: the `fake` provider points at the upstream. */
  config(): Record<string, unknown>;
  writeConfig(config: Record<string, unknown> | string, name?: string): void;
  /** Writes a file into `dir` and returns its path. */
  writeFile(name: string, text: string): string;
  env(changes?: EnvChanges): Record<string, string>;
  run(args: readonly string[], options?: { env?: EnvChanges; input?: string }): Promise<CliResult>;
  start(args: readonly string[], options?: { env?: EnvChanges }): CliProcess;
  close(): Promise<void>;
}

export async function cliFixture(upstreamOptions: FakeUpstreamOptions = {}): Promise<CliFixture> {
  const upstream = await createFakeUpstream(upstreamOptions);
  // Real path: the CLI prints paths from its own process.cwd(), which resolves symlinks (macOS /tmp).
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'llmkit-cli-')));
  const apiKey = `sk-test-${randomBytes(12).toString('hex')}`;
  const options = (env?: EnvChanges): CliOptions => ({ cwd: dir, env: fixture.env(env) });
  const fixture: CliFixture = {
    dir,
    upstream,
    apiKey,
    config: () => ({
      defaultModel: 'fake/fake-model',
      providers: { fake: { baseURL: upstream.url, apiKeyEnv: 'FAKE_API_KEY' } },
      // A priced model, as a configured user has: no "no price known" warning on stderr.
      prices: { 'fake/fake-model': { input: 0.5, output: 1.5 } },
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    }),
    writeConfig(config, name = 'llmkit.config.json') {
      fixture.writeFile(name, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
    },
    writeFile(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    env(changes = {}) {
      // Never the developer's environment: no real keys, proxies or LLMKIT_* settings leak in.
      const base: EnvChanges = { PATH: process.env['PATH'], HOME: dir, NO_COLOR: '1', FAKE_API_KEY: apiKey };
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries({ ...base, ...changes }))
        if (value !== undefined) env[name] = value;
      return env;
    },
    run: (args, { env, input } = {}) =>
      runCli(args, { ...options(env), ...(input === undefined ? {} : { input }) }),
    start: (args, { env } = {}) => startCli(args, options(env)),
    async close() {
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  fixture.writeConfig(fixture.config());
  return fixture;
}

/**
 * A fixture of its own for the current test, closed when the test ends, so the tests of a file
 * can run concurrently: the CLI processes then overlap instead of queueing. The hook comes from
 * the test's context because, with concurrent tests, the global one may attach to another test.
 */
export async function testCli(
  context: Pick<TestContext, 'onTestFinished'>,
  upstreamOptions: FakeUpstreamOptions = {},
): Promise<CliFixture> {
  const fixture = await cliFixture(upstreamOptions);
  context.onTestFinished(() => fixture.close());
  return fixture;
}

/** A base URL nobody listens on: a port the OS just handed out and that was closed again. */
export async function closedPortURL(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}/v1`;
}

/** A failure as a user should see it: the exit code, nothing on stdout, one `llmkit:` line on stderr. */
export function expectOneErrorLine(result: CliResult, code: number): string {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines, result.stderr).toHaveLength(1);
  const line = lines[0] ?? '';
  expect(line).toMatch(/^llmkit: /);
  return line;
}

/** The JSON log lines a run wrote to stderr (`--verbose`, `LLMKIT_DEBUG=http`). */
export function logLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
