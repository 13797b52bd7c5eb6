import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConfigError,
  InvalidRequestError,
  InvalidResponseError,
  QuotaExceededError,
  RateLimitError,
} from '../../src/errors/index.js';
import { sseFromChunks } from '../../src/testing/index.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();

describe('generate', () => {
  it('returns the answer with usage, finish reason, ids and timings', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({
      text: 'Quantum computers use qubits.',
      usage: { prompt_tokens: 12, completion_tokens: 6, prompt_tokens_details: { cached_tokens: 4 } },
    });
    const result = await client.generate('Explain quantum computing', {
      system: 'Be brief',
      temperature: 0.2,
    });
    expect(result).toMatchObject({
      text: 'Quantum computers use qubits.',
      message: { role: 'assistant', content: 'Quantum computers use qubits.' },
      toolCalls: [],
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 6, totalTokens: 18, cachedInputTokens: 4 },
      model: 'fake/fake-model',
      responseModel: 'fake-model',
      provider: 'fake',
      attempts: 1,
    });
    expect(result.requestId).toMatch(/^llm_[0-9a-f]{32}$/);
    expect(result.upstreamRequestId).toMatch(/^req_/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const sent = fixture.current.requests[0]!.body;
    expect(sent).toMatchObject({
      model: 'fake-model',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Explain quantum computing' },
      ],
    });
    expect(sent.stream).toBeUndefined();
  });

  it('sends every supported option in the wire names', async () => {
    const { client } = clientFor(fixture.current);
    await client.generate([{ role: 'user', content: 'hi' }], {
      maxTokens: 50,
      maxCompletionTokens: 60,
      stop: ['\n\n'],
      seed: 7,
      n: 2,
      user: 'user-42',
      topP: 0.9,
      responseFormat: { type: 'json_object' },
      tools: [
        { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } },
      ],
      toolChoice: 'auto',
      extraBody: { enable_thinking: false },
    });
    expect(fixture.current.requests[0]!.body).toMatchObject({
      max_tokens: 50,
      max_completion_tokens: 60,
      stop: ['\n\n'],
      seed: 7,
      n: 2,
      user: 'user-42',
      top_p: 0.9,
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'lookup' } }],
      tool_choice: 'auto',
      enable_thinking: false,
    });
  });

  it('returns every choice when n > 1', async () => {
    const { client } = clientFor(fixture.current);
    const result = await client.generate('hi', { n: 3 });
    expect(result.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
  });

  it('returns tool calls', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({
      toolCalls: [{ id: 'call_1', name: 'extract_info', arguments: '{"importance":0.9}' }],
    });
    const result = await client.generate('Who?', {
      tools: [{ type: 'function', function: { name: 'extract_info', parameters: { type: 'object' } } }],
      toolChoice: { type: 'function', function: { name: 'extract_info' } },
    });
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'extract_info', arguments: '{"importance":0.9}' } },
    ]);
    expect(result.message.content).toBeNull();
  });

  it('retries a 429 honouring retry-after-ms, then succeeds', async () => {
    const { client, logs } = clientFor(fixture.current);
    fixture.current.enqueue(
      { status: 429, headers: { 'retry-after-ms': '20' } },
      { status: 503 },
      { text: 'third time' },
    );
    const result = await client.generate('hi');
    expect(result.text).toBe('third time');
    expect(result.attempts).toBe(3);
    expect(fixture.current.requests).toHaveLength(3);
    const attempts = logs().filter((line) => line['event'] === 'attempt');
    expect(attempts.map((line) => [line['attempt'], line['status'], line['httpStatus']])).toEqual([
      [1, 'error', 429],
      [2, 'error', 503],
      [3, 'ok', undefined],
    ]);
    expect(attempts[0]).toMatchObject({ retryInMs: 20 });
    const call = logs().find((line) => line['event'] === 'call');
    expect(call).toMatchObject({
      status: 'ok',
      attempts: 3,
      provider: 'fake',
      model: 'fake-model',
      totalTokens: result.usage?.totalTokens,
    });
  });

  it('retries a connection reset before headers', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ fault: 'reset-before-headers' }, { text: 'after reset' });
    const result = await client.generate('hi');
    expect(result).toMatchObject({ text: 'after reset', attempts: 2 });
  });

  it('gives up after maxRetries with the last error', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.setDefault({
      status: 429,
      body: { error: { message: 'Rate limit reached for requests' } },
    });
    const error = await client.generate('hi', { maxRetries: 2 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).message).toContain('Rate limit reached');
    expect(fixture.current.requests).toHaveLength(3);
    expect(client.totals).toMatchObject({ calls: 1, failed: 1, attempts: 3 });
  });

  it.each([
    [401, AuthenticationError],
    [400, InvalidRequestError],
  ])('does not retry %i', async (status, type) => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ status });
    await expect(client.generate('hi')).rejects.toBeInstanceOf(type);
    expect(fixture.current.requests).toHaveLength(1);
  });

  it('does not retry insufficient_quota', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({
      status: 429,
      body: { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } },
    });
    await expect(client.generate('hi')).rejects.toBeInstanceOf(QuotaExceededError);
    expect(fixture.current.requests).toHaveLength(1);
  });

  it('obeys x-should-retry: false on a 503', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ status: 503, headers: { 'x-should-retry': 'false' } });
    await expect(client.generate('hi')).rejects.toMatchObject({ status: 503 });
    expect(fixture.current.requests).toHaveLength(1);
  });

  it('fails at once when the server asks for a wait beyond the deadline', async () => {
    const { client } = clientFor(fixture.current, { overrides: { timeouts: { totalMs: 5_000 } } });
    fixture.current.enqueue({ status: 429, headers: { 'retry-after': '30' } });
    const error = await client.generate('hi').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as Error).message).toContain('retry after 30000 ms');
    expect(fixture.current.requests).toHaveLength(1);
  });

  it('a non-JSON 200 body is an InvalidResponseError naming the content type', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({
      body: '<html><body>Welcome to nginx</body></html>',
      headers: { 'content-type': 'text/html' },
    });
    const error = await client.generate('hi').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toContain('text/html');
    expect((error as Error).message).toContain('Welcome to nginx');
  });

  it('a missing key is a ConfigError naming the variable, before any request', async () => {
    const { client } = clientFor(fixture.current, {
      overrides: { providers: { fake: { baseURL: fixture.current.url, apiKeyEnv: 'FAKE_API_KEY' } } },
    });
    const error = await client.generate('hi').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('FAKE_API_KEY');
    expect(fixture.current.requests).toHaveLength(0);
  });

  it('sends the key as a bearer token', async () => {
    const { client } = clientFor(fixture.current, { env: { FAKE_API_KEY: 'sk-test-123456789' } });
    await client.generate('hi');
    expect(fixture.current.requests[0]!.headers['authorization']).toBe('Bearer sk-test-123456789');
  });

  it('keeps running totals like the brief’s total_tokens', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue(
      { usage: { prompt_tokens: 3, completion_tokens: 4 } },
      { usage: { prompt_tokens: 5, completion_tokens: 6 } },
    );
    await client.generate('one');
    await client.generate('two');
    expect(client.totalTokens).toBe(18);
    expect(client.totals).toMatchObject({
      calls: 2,
      succeeded: 2,
      inputTokens: 8,
      outputTokens: 10,
      attempts: 2,
    });
  });
});

describe('reasoning models', () => {
  it('returns reasoning_content beside the answer, streamed or not', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({
      body: {
        id: 'chatcmpl-r1',
        object: 'chat.completion',
        model: 'deepseek-reasoner',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: '42', reasoning_content: 'Six times seven.' },
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: 5,
          completion_tokens: 9,
          total_tokens: 14,
          completion_tokens_details: { reasoning_tokens: 4 },
        },
      },
    });
    const result = await client.generate('6*7?');
    expect(result).toMatchObject({
      text: '42',
      reasoning: 'Six times seven.',
      usage: { reasoningTokens: 4 },
    });
    const chunk = (delta: Record<string, string>, finish: string | null = null) => ({
      id: 'c',
      object: 'chat.completion.chunk',
      model: 'deepseek-reasoner',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    fixture.current.enqueue({
      sse: sseFromChunks(
        [
          chunk({ reasoning_content: 'Six ' }),
          chunk({ reasoning_content: 'sevens.' }),
          chunk({ content: '42' }, 'stop'),
        ],
        { done: true },
      ),
    });
    await expect(client.stream('6*7?').finish()).resolves.toMatchObject({
      text: '42',
      reasoning: 'Six sevens.',
    });
  });
});
