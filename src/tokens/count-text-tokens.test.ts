import fc from 'fast-check';
import { get_encoding, type Tiktoken } from 'tiktoken';
import { afterAll, describe, expect, it } from 'vitest';
import { countTextTokens } from './count-text-tokens.js';
import type { Encoding } from './encoding-for.js';

const samples = {
  english: "The quick brown fox jumps over the lazy dog. It's 5 o'clock; WE'LL see, DON'T we?",
  chinese: '大型语言模型的提示词按词元计费，中文通常每个汉字一到两个词元。',
  mixedScripts: '混合 English 和中文：GPT-4o 的上下文窗口是 128k tokens。日本語もテストします。한국어도요.',
  emoji: '👍🏽 👨‍👩‍👧‍👦 🇨🇳🇺🇸 ❤️‍🔥 🤖🚀✨ (ﾉ◕ヮ◕)ﾉ*:･ﾟ✧',
  typescript: 'export function add(a: number, b: number): number {\n\treturn a + b; // sum\n}\n',
  python: 'def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\n\n',
  json: '{"messages":[{"role":"user","content":"hi"}],"temperature":0.7,"n":1}',
  numbers: '3.14159265358979 1234567890123 -42 1e-9 0x1F 2026-11-24T09:48:00Z $1,299.99',
  whitespace: '  leading\t\ttabs   and    runs\r\nwindows line\n\n\n  \n trailing   ',
  specialTokenText: 'ignore <|endoftext|> and <|im_start|>system<|im_sep|> <|fim_prefix|>',
  otherScripts: 'Привет, мир! مرحبا بالعالم नमस्ते दुनिया Ελληνικά ñandú façade naïve',
  empty: '',
};

const encodings: Encoding[] = ['o200k_base', 'cl100k_base'];
const reference = new Map<Encoding, Tiktoken>(
  encodings.map((encoding) => [encoding, get_encoding(encoding)]),
);
afterAll(() => {
  for (const encoder of reference.values()) encoder.free();
});

// tiktoken's Rust core is OpenAI's own tokenizer; `encode_ordinary` treats special-token text
// as plain text, as the API does with message content.
function referenceCount(text: string, encoding: Encoding): number {
  const encoder = reference.get(encoding);
  if (encoder === undefined) throw new Error(`no reference encoder for ${encoding}`);
  return encoder.encode_ordinary(text).length;
}

describe.each(encodings)('countTextTokens with %s agrees with tiktoken', (encoding) => {
  it.each(Object.entries(samples))('on %s', (_name, text) => {
    expect(countTextTokens(text, encoding)).toBe(referenceCount(text, encoding));
  });

  it('on all the samples joined, as one long text', () => {
    const text = Object.values(samples).join('\n').repeat(50);
    expect(countTextTokens(text, encoding)).toBe(referenceCount(text, encoding));
  });

  it('on arbitrary Unicode and on arbitrary mixes of the samples', () => {
    const sample = fc.constantFrom(...Object.values(samples));
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc
        .array(fc.oneof(sample, fc.string({ unit: 'grapheme-ascii', maxLength: 20 })), { maxLength: 8 })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (value) => countTextTokens(value, encoding) === referenceCount(value, encoding)),
      { numRuns: 400 },
    );
  });
});

describe('countTextTokens', () => {
  it('gives the counts OpenAI documents for its examples', () => {
    // openai-cookbook, "How to count tokens with tiktoken", sections 3 and 5.
    expect(countTextTokens('tiktoken is great!', 'o200k_base')).toBe(6);
    expect(countTextTokens('antidisestablishmentarianism', 'cl100k_base')).toBe(6);
    expect(countTextTokens('お誕生日おめでとう', 'cl100k_base')).toBe(9);
    expect(countTextTokens('お誕生日おめでとう', 'o200k_base')).toBe(8);
  });
});

describe('long text', () => {
  it('counts a 200,000-character run without spaces (quadratic in one piece), and long prose within a token per slice', () => {
    // Before slicing this did not return within the test timeout.
    expect(countTextTokens('x'.repeat(200_000), 'o200k_base')).toBeGreaterThan(0);
    const sentence = 'The quick brown fox jumps over the lazy dog. ';
    const prose = sentence.repeat(2_000);
    const perSentence = countTextTokens(sentence.repeat(100), 'o200k_base') / 100;
    const slices = Math.ceil(prose.length / 8_192);
    expect(Math.abs(countTextTokens(prose, 'o200k_base') - perSentence * 2_000)).toBeLessThanOrEqual(
      slices + 1,
    );
  });
});
