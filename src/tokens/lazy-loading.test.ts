import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadedEncodings } from './count-text-tokens.js';
import { countTextTokens, countTokens, encodingFor } from './index.js';

// Every vocabulary file gpt-tokenizer evaluated in this process. Vitest runs each test file in
// a process of its own (pool: forks), so nothing else has loaded one before these tests.
function vocabularyFiles(): string[] {
  return Object.keys(createRequire(import.meta.url).cache).filter((path) =>
    /gpt-tokenizer[\\/].*bpeRanks[\\/]/.test(path),
  );
}

describe('vocabulary loading', () => {
  it('loads nothing on import, then only the vocabulary a count needs, once', () => {
    expect(loadedEncodings()).toEqual([]);
    expect(vocabularyFiles()).toEqual([]);
    // Choosing an encoding is a table lookup; it must not load anything either.
    expect(encodingFor('gpt-4')).toEqual({ encoding: 'cl100k_base', exact: true });
    expect(vocabularyFiles()).toEqual([]);

    expect(countTokens('hello world', 'gpt-4').tokens).toBe(2);
    expect(loadedEncodings()).toEqual(['cl100k_base']);
    expect(vocabularyFiles()).toEqual([expect.stringMatching(/cl100k_base\.js$/)]);

    expect(countTextTokens('hello again', 'cl100k_base')).toBe(2);
    expect(vocabularyFiles()).toHaveLength(1);

    countTextTokens('你好', 'o200k_base');
    expect(loadedEncodings()).toEqual(['cl100k_base', 'o200k_base']);
    expect(vocabularyFiles()).toHaveLength(2);
  });
});
