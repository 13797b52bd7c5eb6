import { describe, expect, it } from 'vitest';
import { encodingFor } from './encoding-for.js';

describe('encodingFor', () => {
  it.each([
    // OpenAI's o200k families, bare and behind OpenAI-serving prefixes.
    ['gpt-4o', 'o200k_base', true],
    ['gpt-4o-mini-2024-07-18', 'o200k_base', true],
    ['chatgpt-4o-latest', 'o200k_base', true],
    ['gpt-4.1-nano', 'o200k_base', true],
    ['gpt-4.5-preview', 'o200k_base', true],
    ['gpt-5', 'o200k_base', true],
    ['gpt-5.1-codex', 'o200k_base', true],
    ['o1', 'o200k_base', true],
    ['o3-mini', 'o200k_base', true],
    ['o4-mini-deep-research', 'o200k_base', true],
    ['gpt-oss-120b', 'o200k_base', true],
    ['openai/gpt-4o', 'o200k_base', true],
    ['azure-openai/gpt-4o', 'o200k_base', true],
    ['openrouter/openai/gpt-4.1', 'o200k_base', true],
    ['openai/GPT-4o', 'o200k_base', true],
    ['openai/ft:gpt-4o-mini-2024-07-18:acme::abc123', 'o200k_base', true],
    // OpenAI's cl100k families.
    ['gpt-4', 'cl100k_base', true],
    ['gpt-4-0613', 'cl100k_base', true],
    ['gpt-4-turbo', 'cl100k_base', true],
    ['gpt-4-32k', 'cl100k_base', true],
    ['gpt-3.5-turbo-0125', 'cl100k_base', true],
    ['text-embedding-3-small', 'cl100k_base', true],
    ['text-embedding-ada-002', 'cl100k_base', true],
    ['openai/gpt-3.5-turbo', 'cl100k_base', true],
    ['openrouter/openai/gpt-4', 'cl100k_base', true],
    // OpenAI ids served by someone else: the family's vocabulary, but never exact.
    ['deepseek/gpt-4o', 'o200k_base', false],
    ['openrouter/gpt-4', 'cl100k_base', false],
    ['siliconflow/openai/gpt-oss-120b', 'o200k_base', false],
    ['my-proxy/gpt-3.5-turbo', 'cl100k_base', false],
    // Everything else: the o200k approximation.
    ['deepseek/deepseek-chat', 'o200k_base', false],
    ['deepseek-chat', 'o200k_base', false],
    ['dashscope/qwen-plus', 'o200k_base', false],
    ['zhipu/glm-4-plus', 'o200k_base', false],
    ['openrouter/anthropic/claude-3.5-sonnet', 'o200k_base', false],
    ['azure-openai/prod-chat', 'o200k_base', false],
    ['openai/davinci-002', 'o200k_base', false],
    ['gpt-40', 'o200k_base', false],
    ['o10', 'o200k_base', false],
  ] as const)('%s -> %s, exact %s', (model, encoding, exact) => {
    expect(encodingFor(model)).toEqual({ encoding, exact });
  });
});
