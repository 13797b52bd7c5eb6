import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeUpstream, type FakeUpstream, sseFromChunks } from './index.js';

let upstream: FakeUpstream;
beforeEach(async () => {
  upstream = await createFakeUpstream();
});
afterEach(() => upstream.close());

const USER_MESSAGE = { role: 'user', content: 'hello world' };

function chat(body: object = {}, init: RequestInit = {}, path = '/chat/completions'): Promise<Response> {
  return fetch(upstream.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-test', messages: [USER_MESSAGE], ...body }),
    ...init,
  });
}

const stream = (body: object = {}, init: RequestInit = {}) => chat({ stream: true, ...body }, init);

/** Wire JSON, read loosely: tests assert on arbitrary fields of it. */
// biome-ignore lint/suspicious/noExplicitAny: see above; a cast at every read would add only noise.
const json = (response: Response): Promise<any> => response.json();

/** The JSON payloads of the `data:` lines, without `[DONE]`. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary wire fields of chunks.
function dataEvents(text: string): any[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice('data: '.length)));
}

function contentOf(text: string): string {
  return dataEvents(text)
    .map((event) => event.choices[0]?.delta.content ?? '')
    .join('');
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Reads a stream until `text` arrived; the reader stays open for the caller. */
async function readUntil(response: Response, text: string) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let received = '';
  while (!received.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${text}: ${received}`);
    received += decoder.decode(value, { stream: true });
  }
  return { reader, received };
}

describe('completions', () => {
  it('answers with the OpenAI chat.completion shape, echoing the last user message', async () => {
    const response = await chat();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^req_\w+/);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = await response.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-test',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'echo: hello world', refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 },
      system_fingerprint: expect.any(String),
    });
  });

  it('honours n, scripted text, usage and tool calls', async () => {
    const usage = { prompt_tokens: 7, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 5 } };
    upstream.enqueue({ text: 'hi', usage }, { toolCalls: [{ name: 'lookup', arguments: '{"q":1}' }] });
    const first = await json(await chat({ n: 2 }));
    expect(first.choices.map((choice: { index: number }) => choice.index)).toEqual([0, 1]);
    expect(first.choices[1].message.content).toBe('hi');
    expect(first.usage).toEqual({ ...usage, total_tokens: 10 });
    const second = await json(await chat());
    expect(second.choices[0].finish_reason).toBe('tool_calls');
    expect(second.choices[0].message.content).toBeNull();
    expect(second.choices[0].message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: 'function',
        function: { name: 'lookup', arguments: '{"q":1}' },
      },
    ]);
  });

  it('omits usage when the script says usage: false', async () => {
    upstream.enqueue({ usage: false });
    expect(await (await chat()).json()).not.toHaveProperty('usage');
  });

  it('lists models in the OpenAI list shape', async () => {
    await using custom = await createFakeUpstream({ models: ['a', 'b'] });
    const response = await fetch(`${custom.url}/models`);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await response.json()).toEqual({
      object: 'list',
      data: ['a', 'b'].map((id) => ({
        id,
        object: 'model',
        created: expect.any(Number),
        owned_by: expect.any(String),
      })),
    });
  });

  it('answers unknown paths with an OpenAI-shaped 404', async () => {
    const response = await fetch(`${upstream.url}/nope`);
    expect(response.status).toBe(404);
    expect((await json(response)).error).toMatchObject({
      type: 'not_found_error',
      message: expect.any(String),
    });
  });
});

describe('streams', () => {
  it('sends a role chunk, content deltas, a finish chunk and [DONE], without usage by default', async () => {
    const response = await stream();
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();
    const events = dataEvents(text);
    expect(
      events.every((event) => event.object === 'chat.completion.chunk' && event.model === 'gpt-test'),
    ).toBe(true);
    expect(new Set(events.map((event) => event.id)).size).toBe(1);
    expect(events[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(events.length).toBeGreaterThan(3);
    expect(contentOf(text)).toBe('echo: hello world');
    expect(events.at(-1).choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(events.some((event) => 'usage' in event)).toBe(false);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('adds a usage chunk with empty choices only when include_usage is requested', async () => {
    upstream.enqueue({ chunks: ['a', 'b'] });
    const text = await (await stream({ stream_options: { include_usage: true } })).text();
    const events = dataEvents(text);
    expect(contentOf(text)).toBe('ab');
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 4, total_tokens: 5 } });
    expect(events.slice(0, -1).every((event) => event.usage === null)).toBe(true);

    upstream.enqueue({ usage: false });
    const withoutUsage = dataEvents(await (await stream({ stream_options: { include_usage: true } })).text());
    expect(withoutUsage.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('streams tool calls OpenAI-style: name first, then argument fragments with only the index', async () => {
    const calls = [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      { name: 'get_time', arguments: '{}' },
    ];
    upstream.enqueue({ toolCalls: calls });
    const events = dataEvents(await (await stream()).text());
    const deltas = events.flatMap((event) => event.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toEqual({
      index: 0,
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    const fragments = deltas.filter((delta) => delta.index === 0).slice(1);
    expect(fragments.length).toBeGreaterThan(1);
    expect(fragments.every((delta) => Object.keys(delta).join() === 'index,function')).toBe(true);
    expect(fragments.map((delta) => delta.function.arguments).join('')).toBe(calls[0]!.arguments);
    expect(deltas.find((delta) => delta.index === 1)).toMatchObject({ id: expect.stringMatching(/^call_/) });
    expect(events.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('sends raw SSE verbatim and interleaves ping comments on request', async () => {
    const sse = sseFromChunks([{ custom: 1 }], { done: false }) + ': comment\n\n';
    upstream.enqueue({ sse }, { pingComments: true, chunks: ['x'] });
    expect(await (await stream()).text()).toBe(sse);
    const text = await (await stream()).text();
    expect(text).toContain(': ping\n\n');
    expect(contentOf(text)).toBe('x');
  });

  it('waits ttftMs after the headers and interTokenDelayMs between deltas', async () => {
    upstream.enqueue({ chunks: ['a', 'b', 'c'], ttftMs: 60, interTokenDelayMs: 30 });
    const started = Date.now();
    const response = await stream();
    const headersAfter = Date.now() - started;
    await response.text();
    expect(headersAfter).toBeLessThan(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});

describe('faults', () => {
  it('reset-before-headers makes fetch reject', async () => {
    upstream.enqueue({ fault: 'reset-before-headers' });
    await expect(chat()).rejects.toThrow();
  });

  it('hang-before-headers never answers until the client gives up', async () => {
    upstream.enqueue({ fault: 'hang-before-headers' });
    await expect(chat({}, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it('latencyMs delays the headers and an abort clears the pending timer', async () => {
    upstream.enqueue({ latencyMs: 60 });
    const started = Date.now();
    await chat();
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);

    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    const before = timers();
    upstream.enqueue({ latencyMs: 60_000 });
    const controller = new AbortController();
    const pending = chat({}, { signal: controller.signal });
    await until(() => timers() > before);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await until(() => timers() === before);
  });

  it('reset-mid-stream cuts the connection after the first deltas', async () => {
    upstream.enqueue({ chunks: ['one ', 'two ', 'three'], fault: 'reset-mid-stream', faultAfterChunks: 2 });
    const response = await stream();
    const { reader, received } = await readUntil(response, 'two ');
    expect(received).not.toContain('three');
    await expect(
      (async () => {
        while (!(await reader.read()).done);
      })(),
    ).rejects.toThrow();
  });

  it('stall-mid-stream keeps the socket open without sending more', async () => {
    upstream.enqueue({ chunks: ['one ', 'two'], fault: 'stall-mid-stream' });
    const controller = new AbortController();
    const response = await stream({}, { signal: controller.signal });
    const { reader } = await readUntil(response, 'one ');
    const next = reader.read();
    const outcome = await Promise.race([next, new Promise((resolve) => setTimeout(resolve, 100, 'stalled'))]);
    expect(outcome).toBe('stalled');
    controller.abort();
    await expect(next).rejects.toThrow();
  });

  it('eof-without-done sends everything, usage included, but [DONE]', async () => {
    upstream.enqueue({ fault: 'eof-without-done' });
    const text = await (await stream({ stream_options: { include_usage: true } })).text();
    expect(contentOf(text)).toBe('echo: hello world');
    expect(dataEvents(text).at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 10 } });
    expect(text).not.toContain('[DONE]');
  });

  it('truncate-mid-event ends the response cleanly inside a data line', async () => {
    upstream.enqueue({ fault: 'truncate-mid-event' });
    const text = await (await stream()).text();
    expect(text).toMatch(
      /data: \{"id":"chatcmpl-[^"]+","object":"chat\.completion\.chunk","choices":\[\{"ind$/,
    );
    expect(contentOf(text.slice(0, text.lastIndexOf('data: ')))).toBe('echo: ');
  });

  it('stream-error-event sends an SSE error event after faultAfterChunks deltas', async () => {
    upstream.enqueue({ chunks: ['a', 'b', 'c'], fault: 'stream-error-event', faultAfterChunks: 2 });
    const text = await (await stream()).text();
    expect(text).toContain('event: error\ndata: {"error":{"message":');
    expect(contentOf(text.slice(0, text.indexOf('event: error')))).toBe('ab');
    expect(JSON.parse(text.split('event: error\ndata: ')[1]!).error.type).toBe('server_error');
    expect(text).not.toContain('[DONE]');
  });

  it('malformed-sse sends a data line that is not JSON, then ends', async () => {
    upstream.enqueue({ fault: 'malformed-sse' });
    const text = await (await stream()).text();
    const lastData = text.trimEnd().split('\n').at(-1)!;
    expect(lastData.startsWith('data: ')).toBe(true);
    expect(() => JSON.parse(lastData.slice(6))).toThrow();
    expect(text).not.toContain('[DONE]');
  });

  it('cuts or truncates the JSON body of a non-streaming request', async () => {
    upstream.enqueue({ fault: 'reset-mid-stream' }, { fault: 'truncate-mid-event' });
    await expect((await chat()).json()).rejects.toThrow();
    const truncated = await chat();
    expect(truncated.status).toBe(200);
    await expect(truncated.json()).rejects.toThrow(SyntaxError);
  });
});

describe('errors and scripting', () => {
  it('sends the status, headers and an OpenAI-shaped error body', async () => {
    upstream.enqueue({ status: 429, headers: { 'retry-after': '1', 'x-should-retry': 'true' } });
    const response = await chat();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('x-should-retry')).toBe('true');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await response.json()).toEqual({
      error: { message: 'fake upstream error 429', type: 'rate_limit_error', param: null, code: null },
    });
  });

  it('sends error bodies as JSON to streaming requests, and string bodies verbatim', async () => {
    const body = { error: { message: 'overloaded', type: 'server_error', code: 'overloaded' } };
    upstream.enqueue({ status: 503, body }, { status: 502, body: '<html>Bad Gateway</html>' });
    const streamed = await stream();
    expect(streamed.status).toBe(503);
    expect(streamed.headers.get('content-type')).toBe('application/json');
    expect(await streamed.json()).toEqual(body);
    const html = await chat();
    expect(html.status).toBe(502);
    expect(await html.text()).toBe('<html>Bad Gateway</html>');
  });

  it('consumes the queue in order, then the default; scripts may be functions', async () => {
    upstream
      .enqueue({ text: 'first' }, async (request) => ({ text: `model ${request.body.model}` }))
      .setDefault({ text: 'default' });
    const texts: string[] = [];
    for (let index = 0; index < 4; index++) {
      texts.push((await json(await chat())).choices[0].message.content);
    }
    expect(texts).toEqual(['first', 'model gpt-test', 'default', 'default']);
  });

  it('turns a throwing script into a 500 instead of a hang', async () => {
    upstream.enqueue(() => {
      throw new Error('boom');
    });
    const response = await chat();
    expect(response.status).toBe(500);
    expect((await json(response)).error.message).toContain('boom');
  });

  it('records every request with method, path, query, headers and parsed body; reset clears it', async () => {
    const requests = upstream.requests;
    await chat({ temperature: 0 }, { headers: { 'content-type': 'application/json', 'x-trace': 'abc' } });
    await fetch(`${upstream.url}/models?limit=2`);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      query: {},
      headers: { 'x-trace': 'abc', 'content-type': 'application/json' },
      body: { model: 'gpt-test', temperature: 0, messages: [USER_MESSAGE] },
      receivedAt: expect.any(Number),
    });
    expect(requests[1]).toMatchObject({
      method: 'GET',
      path: '/v1/models',
      query: { limit: '2' },
      body: undefined,
    });

    upstream.enqueue({ text: 'queued' }).setDefault({ status: 500 });
    upstream.reset();
    expect(requests).toHaveLength(0);
    expect((await json(await chat())).choices[0].message.content).toBe('echo: hello world');
  });

  it('rejects requests without the api key with a 401, accepting Bearer and api-key', async () => {
    await using guarded = await createFakeUpstream({ apiKey: 'sk-test' });
    const call = (headers: Record<string, string>) =>
      fetch(`${guarded.url}/chat/completions`, { method: 'POST', headers, body: '{"messages":[]}' });
    const denied = await call({ authorization: 'Bearer wrong' });
    expect(denied.status).toBe(401);
    expect((await json(denied)).error).toMatchObject({
      code: 'invalid_api_key',
      message: expect.any(String),
    });
    expect((await call({ authorization: 'Bearer sk-test' })).status).toBe(200);
    expect((await call({ 'api-key': 'sk-test' })).status).toBe(200);
    expect(guarded.requests).toHaveLength(3);
  });

  it('accepts Azure-style deployment paths with an api-version query', async () => {
    const path = '/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21';
    const response = await fetch(upstream.origin + path, {
      method: 'POST',
      body: JSON.stringify({ messages: [USER_MESSAGE] }),
    });
    expect(response.status).toBe(200);
    expect((await json(response)).choices[0].message.content).toBe('echo: hello world');
    expect(upstream.requests[0]).toMatchObject({
      path: '/openai/deployments/my-gpt/chat/completions',
      query: { 'api-version': '2024-10-21' },
    });
  });
});

describe('the official OpenAI SDK', () => {
  it('parses completions, streamed tool calls, errors and resets from the fake', async () => {
    const client = new OpenAI({ baseURL: upstream.url, apiKey: 'sk-test', maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'hello world' }];
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages });
    expect(completion.choices[0]?.message.content).toBe('echo: hello world');

    upstream.enqueue({ toolCalls: [{ name: 'lookup', arguments: '{"query":"weather in Paris"}' }] });
    const streamed = await client.chat.completions
      .stream({ model: 'gpt-test', messages, stream_options: { include_usage: true } })
      .finalChatCompletion();
    expect(streamed.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: 'lookup', arguments: '{"query":"weather in Paris"}' },
    });
    expect(streamed.usage?.total_tokens).toBeGreaterThan(0);

    upstream.enqueue({ status: 429 }, { fault: 'reset-before-headers' });
    await expect(client.chat.completions.create({ model: 'gpt-test', messages })).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
    await expect(client.chat.completions.create({ model: 'gpt-test', messages })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionError,
    );
  });
});

describe('close', () => {
  it('returns promptly with a hanging and a stalled connection open', async () => {
    upstream.enqueue({ fault: 'hang-before-headers' }, { fault: 'stall-mid-stream' });
    const hanging = chat();
    await until(() => upstream.requests.length === 1);
    const { reader } = await readUntil(await stream(), '"content":"echo: "');
    const stalled = reader.read();

    const started = Date.now();
    await upstream.close();
    expect(Date.now() - started).toBeLessThan(500);
    await expect(hanging).rejects.toThrow();
    await expect(stalled).rejects.toThrow();
    await upstream.close();
  });
});

describe('sseFromChunks', () => {
  it('frames objects as data events, with [DONE] unless done is false', () => {
    expect(sseFromChunks([{ a: 1 }, { b: 2 }])).toBe('data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n');
    expect(sseFromChunks([{ a: 1 }], { done: false })).toBe('data: {"a":1}\n\n');
  });
});

describe('max_tokens, as a real provider bills it', () => {
  it('caps output tokens at max_tokens and finishes with length', async () => {
    const upstream = await createFakeUpstream();
    try {
      upstream.enqueue({ usage: { prompt_tokens: 5, completion_tokens: 900 } });
      const response = await fetch(`${upstream.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
      });
      const body = (await response.json()) as {
        usage: { completion_tokens: number; total_tokens: number };
        choices: Array<{ finish_reason: string }>;
      };
      expect(body.usage).toMatchObject({ completion_tokens: 100, total_tokens: 105 });
      expect(body.choices[0]!.finish_reason).toBe('length');
    } finally {
      await upstream.close();
    }
  });
});
