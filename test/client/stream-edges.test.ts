import { describe, expect, it } from 'vitest';
import { LLMClient } from '../../src/client/llm-client.js';
import { loadConfig } from '../../src/config/load-config.js';
import { InvalidResponseError, type LlmkitError, QuotaExceededError } from '../../src/errors/index.js';
import { createLogger } from '../../src/logging/logger.js';
import type { LanguageModelV1 } from '../../src/providers/language-model.js';
import type { Provider } from '../../src/providers/provider.js';
import { responsePartStream } from '../../src/providers/response-parts.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();

describe('stream edges', () => {
  it('awaiting result without iterating reads the stream instead of hanging', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ chunks: ['no ', 'loop'] });
    await expect(client.stream('hi').result).resolves.toMatchObject({ text: 'no loop' });
  });

  it('destructuring result and then iterating still iterates as written', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ chunks: ['a', 'b'] });
    const stream = client.stream('hi');
    const { result } = stream;
    const seen: string[] = [];
    for await (const event of stream) if (event.type === 'text-delta') seen.push(event.text);
    expect(seen).toEqual(['a', 'b']);
    await expect(result).resolves.toMatchObject({ text: 'ab' });
  });

  it('leaving the loop on finish keeps a complete answer a success', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ chunks: ['whole answer'] });
    const stream = client.stream('hi');
    for await (const event of stream) if (event.type === 'finish') break;
    await expect(stream.result).resolves.toMatchObject({ text: 'whole answer', finishReason: 'stop' });
    expect(client.totals).toMatchObject({ succeeded: 1, aborted: 0 });
  });

  it('a JSON completion answering a stream request is read as one', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({
      headers: { 'content-type': 'application/json' },
      sse: JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        model: 'm',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'not streamed' }, finish_reason: 'stop' },
        ],
      }),
    });
    await expect(client.stream('hi').finish()).resolves.toMatchObject({ text: 'not streamed' });
  });

  it('an HTML page answering a stream request is an InvalidResponseError, not retried', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.setDefault({
      body: '<html>Please log in</html>',
      headers: { 'content-type': 'text/html' },
    });
    const error = await client
      .stream('hi')
      .finish()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toContain('Please log in');
    expect(fixture.current.requests).toHaveLength(1);
  });

  it('402 Insufficient Balance is a QuotaExceededError, and errors carry the call id', async () => {
    const { client, logs } = clientFor(fixture.current);
    fixture.current.enqueue({ status: 402, body: { error: { message: 'Insufficient Balance' } } });
    const error = (await client.generate('hi').catch((caught: unknown) => caught)) as LlmkitError;
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(fixture.current.requests).toHaveLength(1);
    const call = logs().find((line) => line['event'] === 'call');
    expect(error.callId).toBe(call?.['requestId']);
    expect(error.toJSON()).toMatchObject({ callId: error.callId });
  });
});

describe('custom adapters', () => {
  it('run through the same pipeline: retries, totals', async () => {
    let calls = 0;
    const model = (modelId: string): LanguageModelV1 => ({
      specificationVersion: 'v1',
      provider: 'echo',
      modelId,
      async generate(request) {
        calls++;
        if (calls === 1) throw new (await import('../../src/errors/index.js')).InternalServerError('flaky');
        const last = request.messages.at(-1);
        return {
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: `echo ${String(last?.content)}` },
              finishReason: 'stop',
            },
          ],
          usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
        };
      },
      async stream(request, options) {
        return responsePartStream(await this.generate(request, options));
      },
    });
    const echo: Provider = { name: 'echo', languageModel: model, listModels: async () => [{ id: 'one' }] };
    const client = new LLMClient({
      config: loadConfig({
        env: {},
        envFile: false,
        overrides: { ledger: { enabled: false }, retry: { baseDelayMs: 1 } },
      }),
      logger: createLogger({ level: 'silent', stderrLevel: 'silent' }),
      providers: { echo },
    });
    const result = await client.generate('hello', { model: 'echo/one' });
    expect(result).toMatchObject({ text: 'echo hello', provider: 'echo', model: 'echo/one', attempts: 2 });
    expect(client.totals.totalTokens).toBe(3);
  });
});
