import { describe, expect, it } from 'vitest';
import type { ModelRequest } from '../providers/types.js';
import { type CacheKeyInput, cacheKey, canonicalJson } from './cache-key.js';

const base: CacheKeyInput = {
  namespace: 'llmkit',
  scope: undefined,
  model: 'fast',
  request: { messages: [{ role: 'user', content: 'hi' }], temperature: 0 },
};
const keyWith = (request: Partial<ModelRequest>, input: Partial<CacheKeyInput> = {}) =>
  cacheKey({ ...base, ...input, request: { ...base.request, ...request } });

describe('cacheKey', () => {
  it('is a sha256 that ignores key order, the user label and defaults written out', () => {
    const key = keyWith({});
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(keyWith({ user: 'someone' })).toBe(key);
    expect(keyWith({ n: 1 })).toBe(key);
    expect(cacheKey({ ...base, request: { temperature: 0, messages: base.request.messages } })).toBe(key);
    expect(keyWith({ stop: 'END' })).toBe(keyWith({ stop: ['END'] }));
    expect(keyWith({ responseFormat: { type: 'json_object' }, extraBody: { b: 1, a: 2 } })).toBe(
      keyWith({ extraBody: { a: 2, b: 1 }, responseFormat: { type: 'json_object' } }),
    );
  });

  it('changes with anything that changes the answer, and with the namespace, scope and model', () => {
    const keys = [
      keyWith({}),
      keyWith({ temperature: 0.5 }),
      keyWith({ messages: [{ role: 'user', content: 'hi!' }] }),
      keyWith({ n: 2 }),
      keyWith({ maxTokens: 10 }),
      keyWith({ seed: 1 }),
      keyWith({ stop: ['END'] }),
      keyWith({ tools: [{ type: 'function', function: { name: 'f' } }] }),
      keyWith({ responseFormat: { type: 'json_object' } }),
      keyWith({ extraBody: { enable_thinking: false } }),
      keyWith({}, { namespace: 'v2' }),
      keyWith({}, { scope: 'team-a' }),
      keyWith({}, { scope: 'team-b' }),
      keyWith({}, { model: 'openai/gpt-4o' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, leaves undefined out', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }, 3], a: undefined, e: null })).toBe(
      '{"b":[{"c":2,"d":1},3],"e":null}',
    );
  });
});
