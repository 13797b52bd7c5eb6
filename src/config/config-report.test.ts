import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configReport, formatConfigReport } from './config-report.js';
import { envVariables } from './env-variables.js';
import { loadConfig } from './load-config.js';

const directories: string[] = [];

function project(files: Record<string, string> = {}): string {
  const directory = mkdtempSync(join(tmpdir(), 'llmkit-report-'));
  directories.push(directory);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const canary = 'sk-CANARY-7f3e9a1b2c4d5e6f';
const fileCanary = 'sk-FILE-CANARY-0a1b2c3d4e5f';

describe('configReport', () => {
  it('never contains a planted key, wherever it was planted', () => {
    const file = {
      providers: {
        deepseek: { apiKeyFile: 'deepseek.key' },
        gateway: {
          baseURL: `https://user:${canary}@llm.internal/v1`,
          headers: { 'x-upstream-token': `Bearer ${canary}`, 'x-team': 'search' },
        },
      },
    };
    const cwd = project({
      'llmkit.config.json': JSON.stringify(file),
      'deepseek.key': `${fileCanary}\n`,
      '.env': `MOONSHOT_API_KEY=${canary}\n`,
    });
    const loaded = loadConfig({ cwd, env: { OPENAI_API_KEY: canary, LLMKIT_MODEL: canary } });
    const rows = configReport(loaded);
    const text = `${formatConfigReport(rows)}\n${JSON.stringify(rows)}`;
    expect(text).not.toContain(canary);
    expect(text).not.toContain(fileCanary);
    expect(text).not.toContain('7f3e9a1b2c4d');

    const row = (key: string) => rows.find((entry) => entry.key === key);
    expect(row('providers.openai.apiKey')).toEqual({
      key: 'providers.openai.apiKey',
      value: 'sk-…5e6f',
      source: 'env OPENAI_API_KEY',
    });
    expect(row('providers.moonshot.apiKey')?.source).toBe('.env MOONSHOT_API_KEY');
    expect(row('providers.deepseek.apiKey')?.source).toBe(`file ${join(cwd, 'deepseek.key')}`);
    expect(row('providers.dashscope.apiKey')).toMatchObject({ value: '(not set)', source: 'none' });
    expect(row('providers.gateway.headers.x-team')?.value).toBe('search');
  });

  it('lists every leaf with its source, unset optional keys included', () => {
    const cwd = project({ 'llmkit.config.yaml': 'retry:\n  maxRetries: 4\n' });
    const rows = configReport(loadConfig({ cwd, env: { DEEPSEEK_BASE_URL: 'https://proxy.example/v1' } }));
    const keys = rows.map((row) => row.key);
    expect(keys).toContain('defaultModel');
    expect(keys).toContain('log.file');
    expect(keys).toContain('stream.maxLineBytes');
    expect(keys).toContain('providers.llamacpp.apiKey');
    expect(rows.find((row) => row.key === 'retry.maxRetries')).toEqual({
      key: 'retry.maxRetries',
      value: '4',
      source: 'file:llmkit.config.yaml',
    });
    expect(rows.find((row) => row.key === 'providers.deepseek.baseURL')?.source).toBe('env');
    expect(rows.find((row) => row.key === 'providers.ollama.apiKey')?.value).toBe('(not set, not required)');
  });

  it('reports an unreadable secret file instead of throwing', () => {
    const cwd = project({ 'llmkit.config.json': '{"providers": {"openai": {"apiKeyFile": "missing.key"}}}' });
    const rows = configReport(loadConfig({ cwd, env: {} }));
    expect(rows.find((row) => row.key === 'providers.openai.apiKey')?.value).toMatch(
      /^\(unreadable: .*ENOENT/,
    );
  });
});

describe('formatConfigReport', () => {
  it('aligns three columns under a header', () => {
    const text = formatConfigReport([
      { key: 'home', value: '/tmp/x', source: 'default' },
      { key: 'retry.maxRetries', value: '4', source: 'flag' },
    ]);
    expect(text.split('\n')).toEqual([
      'KEY               VALUE   SOURCE',
      'home              /tmp/x  default',
      'retry.maxRetries  4       flag',
    ]);
  });
});

describe('envVariables', () => {
  it('documents every variable with its key path', () => {
    const byName = new Map(envVariables.map((variable) => [variable.name, variable.key]));
    expect(byName.get('LLMKIT_MAX_RETRIES')).toBe('retry.maxRetries');
    expect(byName.get('LLMKIT_DEBUG')).toBe('log.debugHttp');
    expect(byName.get('OPENAI_BASE_URL')).toBe('providers.openai.baseURL');
    expect(byName.get('LLAMACPP_BASE_URL')).toBe('providers.llamacpp.baseURL');
    expect(byName.get('DEEPSEEK_API_KEY')).toBe('providers.deepseek.apiKey');
    expect(envVariables.every((variable) => variable.description.length > 0)).toBe(true);
  });
});
