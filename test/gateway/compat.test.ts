import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type GatewayFixture, startGateway } from './gateway-fixture.js';

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

const weatherCall = { id: 'call_w1', name: 'weather', arguments: '{"city":"Paris"}' };

describe('the official openai client', () => {
  const openai = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key, maxRetries: 0 });

  it('creates a completion', async () => {
    gw.upstream.enqueue({ text: 'Bonjour.', usage: { prompt_tokens: 3, completion_tokens: 2 } });
    const completion = await openai().chat.completions.create({
      model: 'fake/fake-model',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Bonjour.');
    expect(completion.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  it('streams, with usage at the end', async () => {
    gw.upstream.enqueue({ chunks: ['Bon', 'jour', '.'], usage: { prompt_tokens: 3, completion_tokens: 3 } });
    const stream = await openai().chat.completions.create({
      model: 'fake/fake-model',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Bonjour.');
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 3 });
  });

  it('gets tool calls, streamed and not', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    gw.upstream.enqueue({ toolCalls: [weatherCall] }, { toolCalls: [weatherCall] });
    const completion = await openai().chat.completions.create({
      model: 'fake/fake-model',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools,
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function).toEqual({
      name: 'weather',
      arguments: '{"city":"Paris"}',
    });
    const stream = openai().chat.completions.stream({
      model: 'fake/fake-model',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools,
    });
    const final = await stream.finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    expect(streamed?.type === 'function' && streamed.function.arguments).toBe('{"city":"Paris"}');
  });

  it('gets structured output through response_format', async () => {
    gw.upstream.enqueue({ text: '{"city":"Paris","celsius":21}' });
    const completion = await openai().chat.completions.create({
      model: 'fake/fake-model',
      messages: [{ role: 'user', content: 'weather?' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'weather',
          strict: true,
          schema: {
            type: 'object',
            properties: { city: { type: 'string' }, celsius: { type: 'number' } },
            required: ['city', 'celsius'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ city: 'Paris', celsius: 21 });
    expect(gw.upstream.requests.at(-1)?.body.response_format.json_schema.name).toBe('weather');
  });

  it('raises a typed error for a gateway refusal, and for a stream cut mid-way', async () => {
    const refused = openai().chat.completions.create({ model: 'fake/fake-model', messages: [] });
    await expect(refused).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    gw.upstream.enqueue({ chunks: ['a ', 'b ', 'c'], fault: 'reset-mid-stream', faultAfterChunks: 2 });
    const stream = await openai().chat.completions.create({
      model: 'fake/fake-model',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    });
    const read = async () => {
      for await (const _ of stream);
    };
    await expect(read()).rejects.toBeInstanceOf(OpenAI.APIError);
  });
});

describe('the Vercel AI SDK (@ai-sdk/openai)', () => {
  const model = () => createOpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key }).chat('fake/fake-model');

  it('generateText', async () => {
    gw.upstream.enqueue({ text: 'Hi from the gateway.', usage: { prompt_tokens: 4, completion_tokens: 5 } });
    const result = await generateText({ model: model(), prompt: 'hello', maxRetries: 0 });
    expect(result.text).toBe('Hi from the gateway.');
    expect(result.usage).toMatchObject({ inputTokens: 4, outputTokens: 5 });
  });

  it('streamText', async () => {
    gw.upstream.enqueue({
      chunks: ['Hi ', 'from ', 'the stream.'],
      usage: { prompt_tokens: 4, completion_tokens: 3 },
    });
    const result = streamText({ model: model(), prompt: 'hello', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text).toBe('Hi from the stream.');
    expect(await result.usage).toMatchObject({ inputTokens: 4, outputTokens: 3 });
  });

  it('tools: the model calls one, the SDK runs it', async () => {
    gw.upstream.enqueue({ toolCalls: [weatherCall] });
    const seen: string[] = [];
    const result = await generateText({
      model: model(),
      prompt: 'weather in Paris?',
      maxRetries: 0,
      tools: {
        weather: tool({
          description: 'current weather',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            seen.push(city);
            return { city, celsius: 21 };
          },
        }),
      },
    });
    expect(seen).toEqual(['Paris']);
    expect(result.toolCalls[0]).toMatchObject({ toolName: 'weather', input: { city: 'Paris' } });
  });

  it('generateObject', async () => {
    gw.upstream.enqueue({ text: '{"city":"Paris","celsius":21}' });
    const { object } = await generateObject({
      model: model(),
      schema: z.object({ city: z.string(), celsius: z.number() }),
      prompt: 'weather?',
      maxRetries: 0,
    });
    expect(object).toEqual({ city: 'Paris', celsius: 21 });
    expect(gw.upstream.requests.at(-1)?.body.response_format?.type).toBe('json_schema');
  });
});
