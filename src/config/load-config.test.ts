import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

describe('loadConfig precedence', () => {
  // One key written in all five layers; peeling the top layer off reveals the next one down.
  function layers(cwd: string, which: { file?: boolean; dotenv?: boolean; env?: boolean; flag?: boolean }) {
    writeFileSync(join(cwd, 'llmkit.config.json'), which.file ? '{"retry": {"maxRetries": 3}}' : '{}');
    writeFileSync(join(cwd, '.env'), which.dotenv ? 'LLMKIT_MAX_RETRIES=4\n' : '');
    const options: LoadConfigOptions = { cwd, env: which.env ? { LLMKIT_MAX_RETRIES: '5' } : {} };
    if (which.flag) options.overrides = { retry: { maxRetries: 6 } };
    const loaded = loadConfig(options);
    return [loaded.config.retry.maxRetries, loaded.sources['retry.maxRetries']];
  }

  it('takes each key from the highest layer that sets it', () => {
    const cwd = project();
    expect(layers(cwd, { file: true, dotenv: true, env: true, flag: true })).toEqual([6, 'flag']);
    expect(layers(cwd, { file: true, dotenv: true, env: true })).toEqual([5, 'env']);
    expect(layers(cwd, { file: true, dotenv: true })).toEqual([4, '.env']);
    expect(layers(cwd, { file: true })).toEqual([3, 'file:llmkit.config.json']);
    expect(layers(cwd, {})).toEqual([2, 'default']);
  });

  it('merges layers key by key instead of replacing whole sections', () => {
    const cwd = project({
      'llmkit.config.json': '{"retry": {"baseDelayMs": 100}, "log": {"level": "debug"}}',
    });
    const loaded = loadConfig({
      cwd,
      env: { LLMKIT_LOG_LEVEL: 'warn' },
      overrides: { retry: { maxRetries: 0 } },
    });
    expect(loaded.config.retry).toEqual({
      maxRetries: 0,
      baseDelayMs: 100,
      maxDelayMs: 8000,
      maxRetryAfterMs: 60_000,
    });
    expect(loaded.config.log.level).toBe('warn');
    expect(loaded.sources['retry.baseDelayMs']).toBe('file:llmkit.config.json');
    expect(loaded.sources['log.level']).toBe('env');
  });

  it('skips overrides that are undefined, as unset CLI flags are', () => {
    const cwd = project({ 'llmkit.config.json': '{"defaultModel": "deepseek/deepseek-chat"}' });
    const loaded = loadConfig({ cwd, env: {}, overrides: { defaultModel: undefined } });
    expect(loaded.config.defaultModel).toBe('deepseek/deepseek-chat');
  });

  it('merges the env: .env values overlaid by the process environment', () => {
    const cwd = project({ '.env': 'SHARED=from-dotenv\nONLY_DOTENV=1\n' });
    const processEnv = { SHARED: 'from-process' };
    const loaded = loadConfig({ cwd, env: processEnv });
    expect(loaded.env['SHARED']).toBe('from-process');
    expect(loaded.env['ONLY_DOTENV']).toBe('1');
    expect(processEnv).toEqual({ SHARED: 'from-process' });
  });

  it('fills every default when nothing is configured', () => {
    const cwd = project();
    const { config, sources, configFile } = loadConfig({ cwd, env: {} });
    expect(configFile).toBeUndefined();
    expect(config.defaultProvider).toBe('openai');
    expect(config.defaultModel).toBeUndefined();
    expect(config.home).toBe(join(cwd, '.llmkit'));
    expect(config.timeouts).toEqual({ totalMs: 600_000, firstTokenMs: 120_000, idleMs: 60_000 });
    expect(config.log).toMatchObject({ level: 'info', pretty: 'auto', debugHttp: false });
    expect(config.stream.maxLineBytes).toBe(8_388_608);
    expect(sources['timeouts.idleMs']).toBe('default');
  });
});

describe('config files', () => {
  it('reads YAML and resolves paths against cwd', () => {
    const yaml =
      'defaultModel: fast\naliases:\n  fast: deepseek/deepseek-chat\nlog:\n  file: logs/llmkit.log\n';
    const cwd = project({ 'llmkit.config.yaml': yaml });
    const loaded = loadConfig({ cwd, env: {} });
    expect(loaded.configFile).toBe(join(cwd, 'llmkit.config.yaml'));
    expect(loaded.config.aliases).toEqual({ fast: 'deepseek/deepseek-chat' });
    expect(loaded.config.log.file).toBe(join(cwd, 'logs/llmkit.log'));
    expect(loaded.sources['aliases.fast']).toBe('file:llmkit.config.yaml');
  });

  it('prefers llmkit.config.json over the YAML names', () => {
    const cwd = project({
      'llmkit.config.json': '{"defaultModel": "from-json"}',
      'llmkit.config.yml': 'defaultModel: from-yml\n',
    });
    expect(loadConfig({ cwd, env: {} }).config.defaultModel).toBe('from-json');
  });

  it('reads llmkit.config.yml and treats an empty file as no settings', () => {
    const cwd = project({ 'llmkit.config.yml': '' });
    expect(loadConfig({ cwd, env: {} }).config.defaultProvider).toBe('openai');
  });

  it('uses LLMKIT_CONFIG, and configPath over it', () => {
    const cwd = project({ 'llmkit.config.json': '{"defaultModel": "discovered"}' });
    mkdirSync(join(cwd, 'conf'));
    writeFileSync(join(cwd, 'conf', 'a.yaml'), 'defaultModel: from-env-variable\n');
    writeFileSync(join(cwd, 'conf', 'b.json'), '{"defaultModel": "from-flag"}');
    const env = { LLMKIT_CONFIG: 'conf/a.yaml' };
    const fromVariable = loadConfig({ cwd, env });
    expect(fromVariable.config.defaultModel).toBe('from-env-variable');
    expect(fromVariable.configFile).toBe(join(cwd, 'conf', 'a.yaml'));
    expect(fromVariable.sources['defaultModel']).toBe('file:conf/a.yaml');
    expect(loadConfig({ cwd, env, configPath: 'conf/b.json' }).config.defaultModel).toBe('from-flag');
  });

  it('reads LLMKIT_CONFIG from .env too', () => {
    const cwd = project({ '.env': 'LLMKIT_CONFIG=other.json\n', 'other.json': '{"defaultModel": "other"}' });
    expect(loadConfig({ cwd, env: {} }).config.defaultModel).toBe('other');
  });

  it('allows a $schema key for editors', () => {
    const cwd = project({ 'llmkit.config.json': '{"$schema": "./schema.json", "defaultModel": "m"}' });
    expect(loadConfig({ cwd, env: {} }).config.defaultModel).toBe('m');
  });
});

describe('.env file', () => {
  it('can be disabled, or pointed elsewhere', () => {
    const cwd = project({ '.env': 'LLMKIT_MODEL=default-file\n', 'prod.env': 'LLMKIT_MODEL=prod-file\n' });
    expect(loadConfig({ cwd, env: {} }).config.defaultModel).toBe('default-file');
    expect(loadConfig({ cwd, env: {}, envFile: false }).config.defaultModel).toBeUndefined();
    const prod = loadConfig({ cwd, env: {}, envFile: 'prod.env' });
    expect(prod.config.defaultModel).toBe('prod-file');
    expect(prod.envFile).toBe(join(cwd, 'prod.env'));
  });

  it('treats blank variables as unset', () => {
    const cwd = project({ '.env': 'LLMKIT_MODEL=\n' });
    const { config } = loadConfig({ cwd, env: { LLMKIT_MAX_RETRIES: '  ' } });
    expect(config.defaultModel).toBeUndefined();
    expect(config.retry.maxRetries).toBe(2);
  });
});

describe('environment variables', () => {
  it('maps every LLMKIT_ variable to its key', () => {
    const cwd = project();
    const { config, sources } = loadConfig({
      cwd,
      env: {
        LLMKIT_HOME: 'state',
        LLMKIT_DEFAULT_PROVIDER: 'deepseek',
        LLMKIT_MODEL: 'deepseek-chat',
        LLMKIT_LOG_LEVEL: 'debug',
        LLMKIT_LOG_FILE: '/var/log/llmkit.log',
        LLMKIT_DEBUG: 'http,retry',
        LLMKIT_MAX_RETRIES: '0',
        LLMKIT_TIMEOUT_MS: '30000',
        LLMKIT_FIRST_TOKEN_TIMEOUT_MS: '5000',
        LLMKIT_IDLE_TIMEOUT_MS: '2000',
      },
    });
    expect(config.home).toBe(join(cwd, 'state'));
    expect(config.defaultProvider).toBe('deepseek');
    expect(config.defaultModel).toBe('deepseek-chat');
    expect(config.log).toMatchObject({ level: 'debug', file: '/var/log/llmkit.log', debugHttp: true });
    expect(config.retry.maxRetries).toBe(0);
    expect(config.timeouts).toEqual({ totalMs: 30_000, firstTokenMs: 5000, idleMs: 2000 });
    expect(sources['timeouts.firstTokenMs']).toBe('env');
  });

  it('lets OPENAI_BASE_URL override the openai preset', () => {
    const cwd = project({
      'llmkit.config.json': '{"providers": {"openai": {"baseURL": "https://file.example/v1"}}}',
    });
    const loaded = loadConfig({ cwd, env: { OPENAI_BASE_URL: 'https://proxy.example/v1/' } });
    expect(loaded.config.providers['openai']?.baseURL).toBe('https://proxy.example/v1');
    expect(loaded.sources['providers.openai.baseURL']).toBe('env');
    expect(loaded.sources['providers.openai.apiKeyEnv']).toBe('preset');
  });

  it('builds the Azure deployment URL and api-version from the environment', () => {
    const cwd = project({ '.env': 'AZURE_OPENAI_ENDPOINT=https://res.openai.azure.com/\n' });
    const { config, sources } = loadConfig({ cwd, env: { OPENAI_API_VERSION: '2025-01-01-preview' } });
    const azure = config.providers['azure-openai'];
    expect(azure?.baseURL).toBe('https://res.openai.azure.com/openai/deployments/{model}');
    expect(azure?.authHeader).toBe('api-key');
    expect(azure?.query).toEqual({ 'api-version': '2025-01-01-preview' });
    expect(sources['providers.azure-openai.baseURL']).toBe('.env');
    expect(sources['providers.azure-openai.query.api-version']).toBe('env');
  });

  it('falls back to the Azure placeholder URL and default api-version', () => {
    const azure = loadConfig({ cwd: project(), env: {} }).config.providers['azure-openai'];
    expect(azure?.baseURL).toBe('https://YOUR-RESOURCE.openai.azure.com/openai/deployments/{model}');
    expect(azure?.query['api-version']).toBe('2024-10-21');
    const other = loadConfig({ cwd: project(), env: { AZURE_OPENAI_API_VERSION: '2024-06-01' } });
    expect(other.config.providers['azure-openai']?.query['api-version']).toBe('2024-06-01');
  });
});

describe('providers', () => {
  it('has every preset without any config', () => {
    const { providers } = loadConfig({ cwd: project(), env: {} }).config;
    expect(providers['deepseek']).toMatchObject({
      baseURL: 'https://api.deepseek.com/v1',
      apiKeyEnv: 'DEEPSEEK_API_KEY',
      apiKeyRequired: true,
    });
    expect(providers['ollama']).toMatchObject({
      baseURL: 'http://127.0.0.1:11434/v1',
      apiKeyRequired: false,
    });
  });

  it('merges a user entry over its preset, by name or by the preset field', () => {
    const file = {
      providers: {
        deepseek: { headers: { 'x-team': 'search' } },
        'gpu-box': { preset: 'vllm', baseURL: 'http://10.0.0.5:8000/v1', models: ['qwen2.5-72b'] },
        gateway: { baseURL: 'https://llm.internal/v1' },
      },
    };
    const cwd = project({ 'llmkit.config.json': JSON.stringify(file) });
    const { config, sources } = loadConfig({ cwd, env: {} });
    expect(config.providers['deepseek']?.headers).toEqual({ 'x-team': 'search' });
    expect(config.providers['deepseek']?.baseURL).toBe('https://api.deepseek.com/v1');
    expect(config.providers['gpu-box']).toMatchObject({ apiKeyRequired: false, apiKeyEnv: 'VLLM_API_KEY' });
    expect(sources['providers.gpu-box.baseURL']).toBe('file:llmkit.config.json');
    expect(sources['providers.gpu-box.apiKeyRequired']).toBe('preset');
    expect(config.providers['gateway']).toMatchObject({
      apiKeyEnv: 'GATEWAY_API_KEY',
      apiKeyRequired: true,
      authHeader: 'authorization',
    });
  });
});
