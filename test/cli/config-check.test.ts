import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliFixture, testCli } from './cli-fixture.js';

interface Row {
  key: string;
  value: string;
  source: string;
}

/** The table's rows; columns are separated by at least two spaces. */
function tableRows(stdout: string): Row[] {
  const lines = stdout.split('\n').filter((line) => line !== '');
  const header = lines.findIndex((line) => /^KEY\s+VALUE\s+SOURCE$/.test(line));
  expect(header, stdout).toBeGreaterThanOrEqual(0);
  return lines.slice(header + 1).map((line) => {
    const [key = '', value = '', source = ''] = line.split(/\s{2,}/);
    return { key, value, source };
  });
}

function rowOf(rows: readonly Row[], key: string): Omit<Row, 'key'> | undefined {
  const row = rows.find((candidate) => candidate.key === key);
  return row && { value: row.value, source: row.source };
}

// The key lives only in .env; LLMKIT_* settings come from .env, the environment and the file.
const dotenvKey = 'sk-dotenv-0123456789abcdefghijklmnop';
const masked = `${dotenvKey.slice(0, 3)}…${dotenvKey.slice(-4)}`;

function plantLayers(cli: CliFixture) {
  cli.writeFile(
    '.env',
    [`FAKE_API_KEY=${dotenvKey}`, 'LLMKIT_TIMEOUT_MS=9000', 'LLMKIT_MODEL=fake/from-dotenv'].join('\n'),
  );
  return { FAKE_API_KEY: undefined, LLMKIT_MAX_RETRIES: '4', LLMKIT_MODEL: 'fake/from-env' };
}

describe.concurrent('llmkit config check', () => {
  it('prints every value with its source: file, .env, env, preset or default', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run(['config', 'check'], { env: plantLayers(cli) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe(`config file: ${join(cli.dir, 'llmkit.config.json')}`);
    const rows = tableRows(result.stdout);
    expect(rowOf(rows, 'providers.fake.baseURL')).toEqual({
      value: cli.upstream.url,
      source: 'file:llmkit.config.json',
    });
    expect(rowOf(rows, 'retry.baseDelayMs')).toEqual({ value: '1', source: 'file:llmkit.config.json' });
    expect(rowOf(rows, 'timeouts.totalMs')).toEqual({ value: '9000', source: '.env' });
    expect(rowOf(rows, 'retry.maxRetries')).toEqual({ value: '4', source: 'env' });
    // The environment beats .env, which beats the config file.
    expect(rowOf(rows, 'defaultModel')).toEqual({ value: 'fake/from-env', source: 'env' });
    expect(rowOf(rows, 'timeouts.idleMs')).toEqual({ value: '60000', source: 'default' });
    expect(rowOf(rows, 'providers.deepseek.baseURL')).toEqual({
      value: 'https://api.deepseek.com/v1',
      source: 'preset',
    });
    expect(rowOf(rows, 'providers.deepseek.apiKey')).toEqual({ value: '(not set)', source: 'none' });
  });

  it('shows a key planted in .env only masked, never in full', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run(['config', 'check'], { env: plantLayers(cli) });
    expect(result.code, result.stderr).toBe(0);
    expect(rowOf(tableRows(result.stdout), 'providers.fake.apiKey')).toEqual({
      value: masked,
      source: '.env FAKE_API_KEY',
    });
    expect(result.stdout + result.stderr).not.toContain(dotenvKey);
    expect(result.stdout + result.stderr).not.toContain(dotenvKey.slice(3, -4));
  });

  it('--json prints the same rows, the key masked there too', async (context) => {
    const cli = await testCli(context);
    const result = await cli.run(['config', 'check', '--json'], { env: plantLayers(cli) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(dotenvKey);
    const report = JSON.parse(result.stdout) as { ok: boolean; configFile: string; rows: Row[] };
    expect(report.ok).toBe(true);
    expect(report.configFile).toBe(join(cli.dir, 'llmkit.config.json'));
    expect(rowOf(report.rows, 'providers.fake.apiKey')).toEqual({
      value: masked,
      source: '.env FAKE_API_KEY',
    });
    expect(rowOf(report.rows, 'timeouts.totalMs')).toEqual({ value: '9000', source: '.env' });
    expect(rowOf(report.rows, 'retry.maxRetries')).toEqual({ value: '4', source: 'env' });
    expect(rowOf(report.rows, 'defaultModel')).toEqual({ value: 'fake/from-env', source: 'env' });
  });

  it('--config picks another file, named as the source of its values', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig({ ...cli.config(), defaultModel: 'fake/staging-model' }, 'staging.json');
    const result = await cli.run(['--config', 'staging.json', 'config', 'check']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`config file: ${join(cli.dir, 'staging.json')}`);
    expect(rowOf(tableRows(result.stdout), 'defaultModel')).toEqual({
      value: 'fake/staging-model',
      source: 'file:staging.json',
    });
  });

  it('a broken config is reported in one line, and as JSON with --json', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig({ ...cli.config(), retry: { maxRetries: 'three' } });
    const result = await cli.run(['config', 'check', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { name: 'ConfigError' } });
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^llmkit: ConfigError: llmkit\.config\.json: retry\.maxRetries must be/),
    ]);
  });
});
