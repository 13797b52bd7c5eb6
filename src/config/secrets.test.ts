import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/index.js';
import { loadConfig } from './load-config.js';
import { maskSecret, resolveApiKey } from './secrets.js';

const directories: string[] = [];

function project(files: Record<string, string> = {}): string {
  const directory = mkdtempSync(join(tmpdir(), 'llmkit-secrets-'));
  directories.push(directory);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('resolveApiKey', () => {
  it('reads the preset variable and says whether it came from .env or the process env', () => {
    const cwd = project({ '.env': 'DEEPSEEK_API_KEY=sk-from-dotenv\nOPENAI_API_KEY=sk-dotenv-loses\n' });
    const loaded = loadConfig({ cwd, env: { OPENAI_API_KEY: 'sk-from-process' } });
    expect(resolveApiKey('deepseek', loaded)).toEqual({
      value: 'sk-from-dotenv',
      source: '.env DEEPSEEK_API_KEY',
    });
    expect(resolveApiKey('openai', loaded)).toEqual({
      value: 'sk-from-process',
      source: 'env OPENAI_API_KEY',
    });
    expect(resolveApiKey('moonshot', loaded)).toEqual({ value: undefined, source: 'none' });
  });

  it('prefers apiKeyFile, trimmed, resolved against cwd', () => {
    const cwd = project({
      'deepseek.key': '  sk-from-file\n',
      'llmkit.config.json': '{"providers": {"deepseek": {"apiKeyFile": "deepseek.key"}}}',
    });
    const loaded = loadConfig({ cwd, env: { DEEPSEEK_API_KEY: 'sk-from-env' } });
    expect(resolveApiKey('deepseek', loaded)).toEqual({
      value: 'sk-from-file',
      source: `file ${join(cwd, 'deepseek.key')}`,
    });
  });

  it('reads a custom apiKeyEnv, or NAME_API_KEY for a provider without one', () => {
    const file = {
      providers: {
        gateway: { baseURL: 'https://llm.internal/v1' },
        other: { baseURL: 'https://other.internal/v1', apiKeyEnv: 'OTHER_TOKEN' },
      },
    };
    const cwd = project({ 'llmkit.config.json': JSON.stringify(file) });
    const loaded = loadConfig({ cwd, env: { GATEWAY_API_KEY: 'gw-key', OTHER_TOKEN: 'other-key' } });
    expect(resolveApiKey('gateway', loaded).value).toBe('gw-key');
    expect(resolveApiKey('other', loaded)).toEqual({ value: 'other-key', source: 'env OTHER_TOKEN' });
  });

  it('throws a ConfigError naming the path of an unreadable secret file', () => {
    const cwd = project({
      'llmkit.config.json': '{"providers": {"deepseek": {"apiKeyFile": "/run/secrets/missing"}}}',
    });
    const loaded = loadConfig({ cwd, env: {} });
    expect(() => resolveApiKey('deepseek', loaded)).toThrow(ConfigError);
    expect(() => resolveApiKey('deepseek', loaded)).toThrow(/cannot read \/run\/secrets\/missing \(ENOENT\)/);
  });

  it('throws for an empty secret file and for an unknown provider', () => {
    const cwd = project({
      empty: '\n',
      'llmkit.config.json': '{"providers": {"openai": {"apiKeyFile": "empty"}}}',
    });
    chmodSync(join(cwd, 'empty'), 0o600);
    const loaded = loadConfig({ cwd, env: {} });
    expect(() => resolveApiKey('openai', loaded)).toThrow(/is empty/);
    expect(() => resolveApiKey('deepsek', loaded)).toThrow(
      /provider "deepsek" is not configured; did you mean "deepseek"\?/,
    );
  });
});

describe('maskSecret', () => {
  it('shows the first 3 and last 4 characters of a long key', () => {
    expect(maskSecret('sk-abcdefghijklmnop3f9a')).toBe('sk-…3f9a');
    expect(maskSecret('123456789012')).toBe('123…9012');
  });

  it('hides short values entirely', () => {
    expect(maskSecret('12345678901')).toBe('***');
    expect(maskSecret('')).toBe('***');
  });
});
