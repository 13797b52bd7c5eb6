import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/index.js';
import type { DeepPartial, LlmkitConfigInput } from './config-schema.js';
import { loadConfig } from './load-config.js';
import { resolveModel } from './resolve-model.js';

const cwd = mkdtempSync(join(tmpdir(), 'llmkit-models-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function config(overrides: DeepPartial<LlmkitConfigInput> = {}) {
  return loadConfig({ cwd, env: {}, envFile: false, overrides }).config;
}

describe('resolveModel', () => {
  it('sends a bare name to the default provider', () => {
    const target = resolveModel('gpt-4o-mini', config());
    expect(target.provider).toBe('openai');
    expect(target.model).toBe('gpt-4o-mini');
    expect(target.providerConfig.baseURL).toBe('https://api.openai.com/v1');
  });

  it('splits provider/model on the first slash when the prefix is a provider', () => {
    expect(resolveModel('deepseek/deepseek-chat', config())).toMatchObject({
      provider: 'deepseek',
      model: 'deepseek-chat',
    });
    expect(resolveModel('openrouter/anthropic/claude-3.5-sonnet', config())).toMatchObject({
      provider: 'openrouter',
      model: 'anthropic/claude-3.5-sonnet',
    });
  });

  it('keeps slashes in model ids whose prefix is not a provider', () => {
    const target = resolveModel('anthropic/claude-3.5-sonnet', config({ defaultProvider: 'openrouter' }));
    expect(target).toMatchObject({ provider: 'openrouter', model: 'anthropic/claude-3.5-sonnet' });
    expect(resolveModel('Qwen/Qwen2.5-72B-Instruct', config({ defaultProvider: 'siliconflow' })).model).toBe(
      'Qwen/Qwen2.5-72B-Instruct',
    );
  });

  it('routes to user-defined providers', () => {
    const custom = config({
      providers: { 'gpu-box': { preset: 'vllm', baseURL: 'http://10.0.0.5:8000/v1' } },
    });
    expect(resolveModel('gpu-box/meta-llama/Llama-3.1-8B-Instruct', custom)).toMatchObject({
      provider: 'gpu-box',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
    });
  });

  it('resolves aliases, including chains', () => {
    const aliased = config({ aliases: { fast: 'cheap', cheap: 'deepseek/deepseek-chat' } });
    expect(resolveModel('fast', aliased)).toMatchObject({ provider: 'deepseek', model: 'deepseek-chat' });
  });

  it('reports an alias cycle', () => {
    const looping = config({ aliases: { a: 'b', b: 'a' } });
    expect(() => resolveModel('a', looping)).toThrow(/aliases "a" -> "b" -> "a" is a cycle/);
  });

  it('uses defaultModel when no name is given, through aliases too', () => {
    expect(resolveModel(undefined, config({ defaultModel: 'deepseek/deepseek-reasoner' })).model).toBe(
      'deepseek-reasoner',
    );
    const aliased = config({ defaultModel: 'smart', aliases: { smart: 'openai/gpt-4o' } });
    expect(resolveModel(undefined, aliased)).toMatchObject({ provider: 'openai', model: 'gpt-4o' });
  });

  it('explains how to set a model when there is none', () => {
    let caught: unknown;
    try {
      resolveModel(undefined, config());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toMatch(/defaultModel/);
    expect((caught as ConfigError).message).toMatch(/LLMKIT_MODEL/);
    expect((caught as ConfigError).message).toMatch(/--model/);
  });

  it('lists the known providers when the default provider is not configured', () => {
    expect(() => resolveModel('some-model', config({ defaultProvider: 'nope' }))).toThrow(
      /defaultProvider "nope" is not configured; use one of openai, azure-openai, deepseek/,
    );
  });
});

describe('resolveModel and typos', () => {
  it('refuses a misspelt provider prefix, suggesting the right one', () => {
    expect(() => resolveModel('deepsek/deepseek-chat', config())).toThrow(
      /unknown provider "deepsek" in model "deepsek\/deepseek-chat"; did you mean "deepseek\/deepseek-chat"/,
    );
    expect(() => resolveModel('deepsek/deepseek-chat', config())).toThrow(ConfigError);
  });

  it('passes an unknown prefix through when the default provider is an aggregator', () => {
    expect(resolveModel('deepsek/x', config({ defaultProvider: 'openrouter' }))).toMatchObject({
      provider: 'openrouter',
      model: 'deepsek/x',
    });
  });

  it('passes through a prefix that resembles no provider', () => {
    expect(resolveModel('meta-llama/Llama-3-8B', config({ defaultProvider: 'vllm' }))).toMatchObject({
      provider: 'vllm',
      model: 'meta-llama/Llama-3-8B',
    });
  });
});
