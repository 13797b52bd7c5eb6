import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

// The official SDK is the reference for what an OpenAI-compatible request looks like.
const fixture = useFakeUpstream();

const key = 'sk-shape-test-0123456789';
const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'extract_info',
      description: 'Extract people, period and importance',
      parameters: {
        type: 'object',
        properties: {
          key_people: { type: 'array', items: { type: 'string' } },
          importance: { type: 'number' },
        },
      },
    },
  },
];

async function both(stream: boolean) {
  const official = new OpenAI({ apiKey: key, baseURL: fixture.current.url, maxRetries: 0 });
  const messages = [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content: '谁发现了青霉素?' },
  ];
  const common = {
    model: 'fake-model',
    messages,
    temperature: 0.3,
    max_tokens: 64,
    stop: ['END'],
    seed: 42,
    n: 1,
    user: 'u-1',
    tools,
    tool_choice: { type: 'function' as const, function: { name: 'extract_info' } },
    response_format: { type: 'json_object' as const },
  };
  if (stream) {
    const response = await official.chat.completions.create({
      ...common,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of response) {
      // drain
    }
  } else {
    await official.chat.completions.create(common);
  }
  const { client } = clientFor(fixture.current, { env: { FAKE_API_KEY: key } });
  const options = {
    model: 'fake/fake-model',
    system: 'You are terse.',
    temperature: 0.3,
    maxTokens: 64,
    stop: ['END'],
    seed: 42,
    n: 1,
    user: 'u-1',
    tools,
    toolChoice: { type: 'function' as const, function: { name: 'extract_info' } },
    responseFormat: { type: 'json_object' as const },
  };
  if (stream) await client.stream('谁发现了青霉素?', options).finish();
  else await client.generate('谁发现了青霉素?', options);
  const [reference, ours] = fixture.current.requests;
  return { reference: reference!, ours: ours! };
}

describe('request shape matches the official openai client', () => {
  it.each([false, true])('stream: %s', async (stream) => {
    const { reference, ours } = await both(stream);
    expect(ours.method).toBe(reference.method);
    expect(ours.path).toBe(reference.path);
    expect(ours.body).toEqual(reference.body);
    expect(ours.headers['content-type']).toBe(reference.headers['content-type']);
    expect(ours.headers['authorization']).toBe(reference.headers['authorization']);
    expect(ours.headers['accept']).toBe(stream ? 'text/event-stream' : 'application/json');
  });
});
