import { createRequire } from 'node:module';
import type { Encoding } from './encoding-for.js';

/** The part of a gpt-tokenizer encoding module we use. */
interface EncodingModule {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
}

// A vocabulary is megabytes of JavaScript that takes ~100 ms to evaluate, so it is loaded on
// the first count that needs it, never by importing llmkit. The count functions are
// synchronous, and a dynamic `import()` is not, so the entry point is loaded with `require`
// (gpt-tokenizer ships a CommonJS build of every entry point).
const requireModule = createRequire(import.meta.url);

// Literal specifiers, one per encoding, so bundlers and `npm ls` see exactly what is used.
const loaders: Record<Encoding, () => EncodingModule> = {
  o200k_base: () => requireModule('gpt-tokenizer/encoding/o200k_base') as EncodingModule,
  cl100k_base: () => requireModule('gpt-tokenizer/encoding/cl100k_base') as EncodingModule,
};

const loaded = new Map<Encoding, EncodingModule>();

// Text a user counts is data: `<|endoftext|>` inside it is billed as ordinary text (the API
// never lets content inject special tokens), where gpt-tokenizer's default would throw.
const ordinaryText = { disallowedSpecial: new Set<string>() };

function tokenizer(encoding: Encoding): EncodingModule {
  let encodingModule = loaded.get(encoding);
  if (encodingModule === undefined) {
    encodingModule = loaders[encoding]();
    loaded.set(encoding, encodingModule);
  }
  return encodingModule;
}

/** Tokens of plain text, as tiktoken's `encode_ordinary` counts them. */
export function countTextTokens(text: string, encoding: Encoding): number {
  if (text === '') return 0;
  const counter = tokenizer(encoding);
  if (text.length <= longText) return counter.countTokens(text, ordinaryText);
  // BPE merges are quadratic in the length of one pre-token: 24 MB without a space blocked the
  // process for seconds. Long text is counted in slices, off by at most one token per cut.
  let total = 0;
  for (let start = 0; start < text.length; start += sliceLength) {
    total += counter.countTokens(text.slice(start, start + sliceLength), ordinaryText);
  }
  return total;
}

const longText = 65_536;
const sliceLength = 8_192;

/** Encodings loaded so far in this process, for tests that prove the loading is lazy. */
export function loadedEncodings(): Encoding[] {
  return [...loaded.keys()];
}
