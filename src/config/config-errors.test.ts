import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/index.js';
import { type LoadConfigOptions, loadConfig } from './load-config.js';

const directories: string[] = [];

function project(files: Record<string, string> = {}): string {
  const directory = mkdtempSync(join(tmpdir(), 'llmkit-config-'));
  directories.push(directory);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** The ConfigError's detail (the message without the generic hint), checked to be one line. */
function failure(options: LoadConfigOptions): string {
  try {
    loadConfig(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const { detail, message } = error as ConfigError;
    expect(message).not.toContain('\n');
    return detail;
  }
  throw new Error('loadConfig did not throw');
}

function fileFailure(name: string, text: string, options: LoadConfigOptions = {}): string {
  return failure({ cwd: project({ [name]: text }), env: {}, ...options });
}

describe('malformed files', () => {
  it('names the JSON file with line and column', () => {
    expect(fileFailure('llmkit.config.json', '{\n  "retry": {"maxRetries": 1,}\n}')).toMatch(
      /^llmkit\.config\.json:2:\d+: invalid JSON: /,
    );
  });

  it('names the YAML file with line and column', () => {
    expect(fileFailure('llmkit.config.yaml', 'retry:\n  maxRetries: 1\n   bad: [\n')).toMatch(
      /^llmkit\.config\.yaml:\d+:\d+: invalid YAML: \S/,
    );
  });

  it('rejects a top level that is not an object', () => {
    expect(fileFailure('llmkit.config.yaml', '- a\n- b\n')).toBe(
      'llmkit.config.yaml: the top level must be an object of settings (got a list)',
    );
  });
});

describe('invalid settings', () => {
  it('names the file, key path and bad value for a wrong type', () => {
    expect(fileFailure('llmkit.config.yaml', 'retry:\n  maxRetries: three\n')).toBe(
      'llmkit.config.yaml: retry.maxRetries must be a whole number >= 0 (got "three")',
    );
  });

  it('names the path of an unknown key and suggests the closest known key', () => {
    expect(fileFailure('llmkit.config.json', '{"retry": {"maxRetry": 1}}')).toBe(
      'llmkit.config.json: retry.maxRetry is not a known setting; did you mean "maxRetries"?',
    );
    expect(
      fileFailure('llmkit.config.json', '{"providers": {"deepseek": {"base_url": "https://x/v1"}}}'),
    ).toBe('llmkit.config.json: providers.deepseek.base_url is not a known setting; did you mean "baseURL"?');
    expect(
      fileFailure(
        'llmkit.config.yaml',
        'rateLimits:\n  rules:\n    - { scope: global, tpm: 90000, rmp: 60 }\n',
      ),
    ).toBe('llmkit.config.yaml: rateLimits.rules.0.rmp is not a known setting; did you mean "rpm"?');
    expect(fileFailure('llmkit.config.json', '{"zzz": 1}')).toMatch(
      /^llmkit\.config\.json: zzz is not a known setting; known keys: defaultProvider/,
    );
  });

  it('suggests the closest option for a bad enum value', () => {
    expect(fileFailure('llmkit.config.json', '{"log": {"level": "warning"}}')).toContain(
      '(got "warning"; did you mean "warn"?)',
    );
  });

  it('requires baseURL for a provider that is not a preset', () => {
    expect(fileFailure('llmkit.config.json', '{"providers": {"my-gateway": {"models": ["m"]}}}')).toMatch(
      /^llmkit\.config\.json: providers\.my-gateway\.baseURL is required: "my-gateway" is not a preset/,
    );
  });

  it('blames the flags when the bad value came from overrides', () => {
    expect(failure({ cwd: project(), env: {}, overrides: { timeouts: { totalMs: 0 } } })).toBe(
      'timeouts.totalMs (from flags/options) must be a whole number > 0 (got 0)',
    );
  });
});

describe('keys in config files', () => {
  it('rejects apiKey, api_key and key under a provider', () => {
    expect(fileFailure('llmkit.config.json', '{"providers": {"deepseek": {"apiKey": "sk-canary"}}}')).toBe(
      'llmkit.config.json: providers.deepseek.apiKey is not allowed: keys live only in the environment, .env or a secret file; set DEEPSEEK_API_KEY or apiKeyFile',
    );
    expect(fileFailure('llmkit.config.yaml', 'providers:\n  gateway:\n    api_key: x\n')).toContain(
      'providers.gateway.api_key is not allowed',
    );
    expect(
      fileFailure('llmkit.config.yaml', 'providers:\n  gw:\n    apiKeyEnv: GW_TOKEN\n    key: x\n'),
    ).toContain('set GW_TOKEN or apiKeyFile');
  });

  it('rejects a key in the overrides too, without echoing it', () => {
    const overrides = {
      providers: { openai: { apiKey: 'sk-canary-overrides' } },
    } as LoadConfigOptions['overrides'];
    const detail = failure({ cwd: project(), env: {}, ...(overrides ? { overrides } : {}) });
    expect(detail).toContain('providers.openai.apiKey (from flags/options) is not allowed');
    expect(detail).not.toContain('sk-canary');
  });
});

describe('environment errors', () => {
  it('names the variable and where it came from', () => {
    expect(failure({ cwd: project({ '.env': 'LLMKIT_MAX_RETRIES=x\n' }), env: {} })).toBe(
      'LLMKIT_MAX_RETRIES (from .env) must be a whole number >= 0, got "x"',
    );
    expect(failure({ cwd: project(), env: { LLMKIT_TIMEOUT_MS: '1.5' } })).toBe(
      'LLMKIT_TIMEOUT_MS (from env) must be a whole number > 0, got "1.5"',
    );
    expect(failure({ cwd: project(), env: { LLMKIT_LOG_LEVEL: 'loud' } })).toMatch(
      /^LLMKIT_LOG_LEVEL \(from env\) must be one of fatal, error/,
    );
    expect(failure({ cwd: project(), env: { OPENAI_BASE_URL: 'api.openai.com' } })).toMatch(
      /^OPENAI_BASE_URL \(from env\) must be an http\(s\) URL/,
    );
  });
});

describe('missing files', () => {
  it('fails on an explicit config path that does not exist', () => {
    const cwd = project();
    expect(failure({ cwd, env: {}, configPath: 'nope.json' })).toBe(
      `config file ${join(cwd, 'nope.json')} (from --config) does not exist; check the path or remove --config`,
    );
    expect(failure({ cwd, env: { LLMKIT_CONFIG: '/missing/llmkit.yaml' } })).toContain(
      '(from LLMKIT_CONFIG) does not exist',
    );
  });

  it('fails on an explicit env file that does not exist, not on a missing default one', () => {
    const cwd = project();
    expect(() => loadConfig({ cwd, env: {} })).not.toThrow();
    expect(failure({ cwd, env: {}, envFile: 'prod.env' })).toContain(
      `env file ${join(cwd, 'prod.env')} does not exist`,
    );
  });
});

describe('credentials in headers', () => {
  it('refuses an Authorization header in a config file', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'llmkit-headers-'));
    writeFileSync(
      join(cwd, 'llmkit.config.json'),
      JSON.stringify({ providers: { deepseek: { headers: { Authorization: 'Bearer sk-in-a-file' } } } }),
    );
    expect(() => loadConfig({ cwd, env: {}, envFile: false })).toThrow(
      /llmkit\.config\.json: providers\.deepseek\.headers\.Authorization is not allowed/,
    );
    rmSync(cwd, { recursive: true, force: true });
  });
});

describe('budgets and alerts: one line naming the key', () => {
  const load = (overrides: Record<string, unknown>) => () =>
    loadConfig({
      env: {},
      envFile: false,
      overrides: overrides as NonNullable<LoadConfigOptions['overrides']>,
    });
  it.each([
    [{ budgets: [{ period: 'day', limitUsd: 1 }] }, /budgets\.0\.scope .*is required/],
    [
      { budgets: [{ scope: 'everything', period: 'day', limitUsd: 1 }] },
      /budgets\.0\.scope .*must be .* \(got "everything"\)/,
    ],
    [
      { budgets: [{ scope: 'global', period: 'day', limitUsd: -1 }] },
      /budgets\.0\.limitUsd .*must be a number of USD >= 0/,
    ],
    [{ budgets: [{ scope: 'global', period: 'day' }] }, /budgets\.0 .*needs limitUsd or limitTokens/],
    [
      { budgets: [{ scope: 'global', period: 'fortnight', limitUsd: 1 }] },
      /budgets\.0\.period .*must be one of hour, day, week, month, total/,
    ],
    [{ budgetSettings: { timeZone: 'Mars/Base' } }, /budgetSettings\.timeZone .*must be an IANA time zone/],
    [
      { budgets: [{ scope: 'global', period: 'day', limitUsd: 1, channels: ['nope'] }] },
      /budgets\.0\.channels .*names alert channel "nope"/,
    ],
    [
      { alerts: { channels: { ops: { type: 'webhook', url: 'ftp://example.com/hook' } } } },
      /alerts\.channels\.ops\.url .*must be an http\(s\) URL/,
    ],
  ])('%j', (overrides, message) => {
    expect(load(overrides)).toThrow(ConfigError);
    expect(load(overrides)).toThrow(message);
  });

  it('never echoes an alert channel URL, which embeds its token', () => {
    const secret = 'ftp://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';
    expect(load({ alerts: { channels: { ops: { type: 'slack', url: secret } } } })).toThrow(
      /^(?!.*XXXXXXXX).*alerts\.channels\.ops\.url/,
    );
  });
});
