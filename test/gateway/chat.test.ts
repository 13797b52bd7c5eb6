import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Chunk,
  type Completion,
  type GatewayFixture,
  sseEvents,
  startGateway,
} from './gateway-fixture.js';

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());
beforeEach(() => gw.upstream.reset());

const hello = { model: 'fake/fake-model', messages: [{ role: 'user', content: 'hello there' }] };

describe('POST /v1/chat/completions', () => {
  it('answers in the OpenAI shape, with usage, and records the call in the ledger', async () => {
    gw.upstream.enqueue({ text: 'Hi! How can I help?', usage: { prompt_tokens: 9, completion_tokens: 6 } });
    const response = await gw.post('/v1/chat/completions', hello);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'fake/fake-model',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hi! How can I help?' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 },
    });
    expect(response.headers.get('x-llmkit-request-id')).toMatch(/^llm_/);
    expect(Number(response.headers.get('x-llmkit-overhead-ms'))).toBeGreaterThanOrEqual(0);
    const rows = await gw.ledgerRows();
    const row = rows.find(
      (candidate) => candidate['request_id'] === response.headers.get('x-llmkit-request-id'),
    );
    expect(row).toMatchObject({
      provider: 'fake',
      model: 'fake-model',
      status: 'ok',
      input_tokens: 9,
      output_tokens: 6,
    });
    // $1 / $2 per million tokens.
    expect(row?.['cost_nanos']).toBe(9 * 1000 + 6 * 2000);
  });

  it('streams chat.completion.chunk events, then a usage chunk, then [DONE]', async () => {
    gw.upstream.enqueue({ chunks: ['Hel', 'lo', '!'], usage: { prompt_tokens: 4, completion_tokens: 3 } });
    const response = await gw.post('/v1/chat/completions', { ...hello, stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await sseEvents(response);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1) as Chunk[];
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Hello!');
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop');
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it('passes tools and response_format through, and returns tool calls', async () => {
    gw.upstream.enqueue({ toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }] });
    const tools = [
      {
        type: 'function',
        function: {
          name: 'weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const response_format = {
      type: 'json_schema',
      json_schema: { name: 'w', schema: { type: 'object', properties: {} }, strict: false },
    };
    const response = await gw.post('/v1/chat/completions', {
      ...hello,
      tools,
      tool_choice: 'auto',
      response_format,
    });
    const body = (await response.json()) as Completion;
    expect(body.choices[0]!.finish_reason).toBe('tool_calls');
    expect(body.choices[0]!.message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
    ]);
    const sent = gw.upstream.requests.at(-1)!.body as Record<string, unknown>;
    expect(sent['tools']).toEqual(tools);
    expect(sent['tool_choice']).toBe('auto');
    expect(sent['response_format']).toEqual(response_format);
  });

  it('passes fields llmkit does not model through to the upstream, but never a client-chosen host', async () => {
    gw.upstream.enqueue({});
    await gw.post(
      '/v1/chat/completions',
      { ...hello, logprobs: true, reasoning_effort: 'low' },
      {
        headers: {
          'x-portkey-custom-host': 'http://evil.example',
          'x-llmkit-base-url': 'http://evil.example',
        },
      },
    );
    const sent = gw.upstream.requests.at(-1)!;
    expect(sent.body).toMatchObject({ logprobs: true, reasoning_effort: 'low', model: 'fake-model' });
  });
});

describe('the other endpoints', () => {
  it("POST /generate takes the brief's { text, temperature } and returns { result }", async () => {
    gw.upstream.enqueue({ text: 'Generated.' });
    const response = await gw.post('/generate', { text: 'write something' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: 'Generated.' });
    expect((gw.upstream.requests.at(-1)!.body as Record<string, unknown>)['temperature']).toBe(0.7);
    const missing = await gw.post('/generate', { temperature: 0.2 });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(
      /^text is required/,
    );
  });

  it('GET /v1/models lists the default model, aliases and routes', async () => {
    const response = await gw.get('/v1/models');
    const body = (await response.json()) as { object: string; data: Array<{ id: string; object: string }> };
    expect(body.object).toBe('list');
    expect(body.data.map((model) => model.id)).toContain('fake/fake-model');
    expect(body.data.every((model) => model.object === 'model')).toBe(true);
  });

  it('health, readiness and the OpenAPI document', async () => {
    expect(await (await gw.get('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await gw.get('/readyz')).json()).toEqual({ status: 'ready' });
    const openapi = (await (await gw.get('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<
        string,
        { post?: { requestBody: { content: Record<string, { schema: { required: string[] } }> } } }
      >;
    };
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/chat/completions', '/generate', '/v1/models', '/admin/keys', '/metrics']),
    );
    const chat = openapi.paths['/v1/chat/completions']!.post!.requestBody.content['application/json']!.schema;
    expect(chat.required).toEqual(expect.arrayContaining(['model', 'messages']));
  });

  it('GET /metrics shows requests, latency, tokens, cost and errors', async () => {
    gw.upstream.enqueue({ usage: { prompt_tokens: 5, completion_tokens: 5 } }, { status: 400 });
    await gw.post('/v1/chat/completions', hello);
    await gw.post('/v1/chat/completions', hello);
    const text = await (await gw.get('/metrics')).text();
    expect(text).toMatch(/llmkit_http_requests_total\{route="\/v1\/chat\/completions",status="200"\} \d+/);
    expect(text).toMatch(/llmkit_http_request_duration_seconds_bucket/);
    expect(text).toMatch(/llmkit_calls_total\{provider="fake",model="fake-model",status="ok"/);
    expect(text).toMatch(/llmkit_tokens_total\{provider="fake",model="fake-model",direction="input"\} \d+/);
    expect(text).toMatch(/llmkit_cost_usd_total\{provider="fake",model="fake-model"\} [\d.e-]+/);
    expect(text).toMatch(/llmkit_errors_total\{code="invalid_request"\} \d+/);
    expect(text).toMatch(/llmkit_time_to_first_token_seconds|llmkit_call_duration_seconds_bucket/);
    expect(text).toMatch(/llmkit_gateway_overhead_seconds_bucket/);
  });
});

describe('the cache through the gateway', () => {
  it('x-llmkit-cache: on answers a repeat from the cache, at cost 0, without calling the upstream', async () => {
    const body = { model: 'fake/fake-model', messages: [{ role: 'user', content: 'cache me please' }] };
    gw.upstream.enqueue({ text: 'Cached answer.' });
    const first = await gw.post('/v1/chat/completions', body, { headers: { 'x-llmkit-cache': 'on' } });
    expect(first.headers.get('x-llmkit-cache')).toBe('miss');
    const second = await gw.post('/v1/chat/completions', body, { headers: { 'x-llmkit-cache': '600' } });
    expect(second.headers.get('x-llmkit-cache')).toBe('hit');
    expect(
      ((await second.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message
        .content,
    ).toBe('Cached answer.');
    expect(gw.upstream.requests).toHaveLength(1);
    const stream = await gw.post(
      '/v1/chat/completions',
      { ...body, stream: true },
      { headers: { 'x-llmkit-cache': 'on' } },
    );
    expect(stream.headers.get('x-llmkit-cache')).toBe('hit');
    const text = ((await sseEvents(stream)).slice(0, -1) as Chunk[])
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('Cached answer.');
    const row = (await gw.ledgerRows()).find(
      (candidate) => candidate['request_id'] === second.headers.get('x-llmkit-request-id'),
    );
    expect(row).toMatchObject({ cache: 'hit', cost_nanos: 0 });
    const bad = await gw.post('/v1/chat/completions', body, { headers: { 'x-llmkit-cache': 'sometimes' } });
    expect(bad.status).toBe(400);
  });
});
