import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SchemaError, StructuredOutputError, UsageError } from '../../src/errors/index.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();
const directory = mkdtempSync(join(tmpdir(), 'llmkit-structured-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let databases = 0;

// The brief's extract_info, as a zod schema.
const extractInfo = z.object({
  key_people: z.array(z.string()),
  time_period: z.string(),
  importance: z.enum(['low', 'medium', 'high']),
});
const valid = { key_people: ['Ada Lovelace'], time_period: '1843', importance: 'high' };

function client(structuredOutput?: string, overrides: Record<string, unknown> = {}) {
  return clientFor(fixture.current, {
    overrides: {
      providers: {
        fake: {
          baseURL: fixture.current.url,
          apiKeyRequired: false,
          ...(structuredOutput ? { structuredOutput } : {}),
        },
      },
      ...overrides,
    },
  });
}

describe('generateObject: mechanisms', () => {
  it('uses response_format json_schema with strict for a provider that supports it, and returns the typed object', async () => {
    const { client: llm } = client('json_schema');
    fixture.current.enqueue({ text: JSON.stringify(valid) });
    const result = await llm.generateObject({
      schema: extractInfo,
      prompt: 'Ada wrote the first program in 1843.',
    });
    const object: { key_people: string[]; importance: 'low' | 'medium' | 'high' } = result.object;
    expect(object).toEqual(valid);
    expect(result).toMatchObject({ mode: 'json_schema', attempts: 1, warnings: [] });
    const body = fixture.current.requests[0]!.body;
    expect(body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: {
        name: 'response',
        strict: true,
        schema: { type: 'object', required: ['key_people', 'time_period', 'importance'] },
      },
    });
    expect(body.response_format.json_schema.schema.$schema).toBeUndefined();
    expect(body.tools).toBeUndefined();
  });

  it('sends strict: false with a warning when the schema has an optional field', async () => {
    const { client: llm, logs } = client('json_schema');
    fixture.current.enqueue({ text: '{"name":"x"}' });
    const result = await llm.generateObject({
      schema: z.object({ name: z.string(), age: z.number().optional() }),
      prompt: 'p',
    });
    expect(result.object).toEqual({ name: 'x' });
    expect(fixture.current.requests[0]!.body.response_format.json_schema.strict).toBe(false);
    expect(result.warnings[0]).toMatch(/strict: false because \$\.age is optional/);
    expect(logs().some((line) => line['level'] === 40 && String(line['msg']).includes('strict: false'))).toBe(
      true,
    );
  });

  it('forces a tool call, as the brief does with extract_info, when the provider enforces schemas that way', async () => {
    const { client: llm } = client('tool');
    fixture.current.enqueue({ toolCalls: [{ name: 'extract_info', arguments: JSON.stringify(valid) }] });
    const result = await llm.generateObject({ schema: extractInfo, name: 'extract_info', prompt: 'Ada...' });
    expect(result.object).toEqual(valid);
    expect(result.mode).toBe('tool');
    expect(result.warnings[0]).toMatch(/cannot enforce a JSON Schema natively; using a forced tool call/);
    const body = fixture.current.requests[0]!.body;
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'extract_info' } });
    expect(body.tools[0].function).toMatchObject({ name: 'extract_info', parameters: { type: 'object' } });
    expect(body.response_format).toBeUndefined();
  });

  it('falls back to json_object with the schema in the prompt, and finds JSON inside a Markdown fence', async () => {
    const { client: llm } = client('json_object');
    fixture.current.enqueue({ text: `Here it is:\n\`\`\`json\n${JSON.stringify(valid)}\n\`\`\`` });
    const result = await llm.generateObject({ schema: extractInfo, prompt: 'Ada...' });
    expect(result.object).toEqual(valid);
    expect(result.warnings[0]).toMatch(/using response_format json_object/);
    const body = fixture.current.requests[0]!.body;
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages[0].role).toBe('system');
    expect(body.messages[0].content).toContain('JSON Schema');
    expect(body.messages[0].content).toContain('"key_people"');
  });

  it('names the nested field that keeps a schema out of strict mode, and merges the json_object instruction into the system message', async () => {
    const { client: llm } = client('json_schema');
    fixture.current.enqueue({ text: '{"address":{"city":"x"}}' });
    const nested = z.object({ address: z.object({ city: z.string(), zip: z.string().optional() }) });
    const result = await llm.generateObject({ schema: nested, prompt: 'p' });
    expect(result.warnings[0]).toMatch(/because \$\.address\.zip is optional/);

    const { client: plain } = client('json_object');
    fixture.current.enqueue({ text: '{"address":{"city":"x"}}' });
    await plain.generateObject({ schema: nested, prompt: 'p', system: 'You are terse.' });
    const messages = fixture.current.requests[1]!.body.messages;
    expect(messages.filter((message: { role: string }) => message.role === 'system')).toHaveLength(1);
    expect(messages[0].content).toMatch(/^You are terse\.\n\nAnswer with one JSON value/);
  });

  it('obeys an explicit mode without a fallback warning', async () => {
    const { client: llm } = client('json_schema');
    fixture.current.enqueue({ toolCalls: [{ name: 'response', arguments: JSON.stringify(valid) }] });
    const result = await llm.generateObject({ schema: extractInfo, prompt: 'p', mode: 'tool' });
    expect(result).toMatchObject({ mode: 'tool', warnings: [] });
  });

  it('takes a JSON Schema and validates against it', async () => {
    const { client: llm } = client('json_schema');
    const schema = {
      type: 'object',
      properties: { score: { type: 'integer', minimum: 1, maximum: 5 } },
      required: ['score'],
      additionalProperties: false,
    };
    fixture.current.enqueue({ text: '{"score":9}' }, { text: '{"score":4}' });
    const result = await llm.generateObject({ schema, prompt: 'rate it' });
    expect(result.object).toEqual({ score: 4 });
    expect(result.attempts).toBe(2);
    expect(fixture.current.requests[0]!.body.response_format.json_schema.schema).toEqual(schema);
  });
});

describe('generateObject: repair', () => {
  it('re-asks with the validation issues after invalid JSON, and every attempt is a ledger row', async () => {
    const { client: llm } = client('json_schema', {
      ledger: { enabled: true, path: join(directory, `ledger-${++databases}.db`) },
      prices: { 'fake/fake-model': { input: 1, output: 2 } },
    });
    fixture.current.enqueue(
      { text: '{"key_people": ["Ada", }' },
      { text: '{"key_people":["Ada"],"time_period":1843,"importance":"huge"}' },
      { text: JSON.stringify(valid) },
    );
    const result = await llm.generateObject({ schema: extractInfo, prompt: 'Ada...' });
    expect(result.object).toEqual(valid);
    expect(result.attempts).toBe(3);
    expect(result.results).toHaveLength(3);
    const second = fixture.current.requests[1]!.body.messages;
    expect(second.at(-2)).toEqual({ role: 'assistant', content: '{"key_people": ["Ada", }' });
    expect(second.at(-1).content).toMatch(
      /^Your answer does not match the required JSON Schema:\n- \$: not valid JSON/,
    );
    const third = fixture.current.requests[2]!.body.messages.at(-1).content;
    expect(third).toContain('- $.time_period:');
    expect(third).toContain('- $.importance:');
    const summed = result.results.reduce((sum, entry) => sum + (entry.usage?.totalTokens ?? 0), 0);
    expect(result.usage.totalTokens).toBe(summed);
    expect(result.costNanos).toBe(result.results.reduce((sum, entry) => sum + (entry.costNanos ?? 0), 0));
    const summary = await llm.usage.summary({ groupBy: 'model' });
    expect(summary.totals.calls).toBe(3);
    expect(summary.totals.costNanos).toBe(result.costNanos);
  });

  it('repairs a forced tool call through a tool message answering every call', async () => {
    const { client: llm } = client('tool');
    fixture.current.enqueue(
      { toolCalls: [{ id: 'call_1', name: 'response', arguments: '{"key_people":"Ada"}' }] },
      { toolCalls: [{ id: 'call_2', name: 'response', arguments: JSON.stringify(valid) }] },
    );
    const result = await llm.generateObject({ schema: extractInfo, prompt: 'p' });
    expect(result.object).toEqual(valid);
    const messages = fixture.current.requests[1]!.body.messages;
    expect(messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_1' }] });
    expect(messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1' });
    expect(messages.at(-1).content).toContain('$.key_people');
  });

  it('throws StructuredOutputError with the raw text and the issues when no attempt validates', async () => {
    const { client: llm } = client('json_schema');
    fixture.current.setDefault({ text: 'I cannot do that.' });
    const error = await llm
      .generateObject({ schema: extractInfo, prompt: 'p', maxAttempts: 2 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StructuredOutputError);
    const failure = error as StructuredOutputError;
    expect(failure.message).toMatch(
      /^no valid object after 2 attempt\(s\) with json_schema: \$: the answer contains no JSON \(/,
    );
    expect(failure.text).toBe('I cannot do that.');
    expect(failure.issues).toEqual([{ path: '$', message: 'the answer contains no JSON' }]);
    expect(failure.attempts).toHaveLength(2);
    expect(failure.exitCode).toBe(3);
    expect(fixture.current.requests).toHaveLength(2);
  });

  it('says when the answer was cut off at max tokens', async () => {
    const { client: llm } = client('json_schema');
    fixture.current.enqueue({ text: '{"key_people":["Ada", "Charles"', finishReason: 'length' });
    const error = (await llm
      .generateObject({ schema: extractInfo, prompt: 'p', maxAttempts: 1 })
      .catch((caught: unknown) => caught)) as StructuredOutputError;
    expect(error.issues[0]!.message).toMatch(/cut off at the max tokens limit/);
  });
});

describe('generateObject: bad input', () => {
  it.each([
    ['a string', 'not a schema', /^the schema is a string, not a zod schema or a JSON Schema object \(/],
    ['an unknown type', { type: 'integr' }, /^\$\.type is "integr", not a JSON Schema type/],
    [
      'properties that are not an object',
      { type: 'object', properties: 5 },
      /^\$\.properties must be an object of schemas/,
    ],
    [
      'a nested mistake',
      { type: 'object', properties: { a: { type: 'strng' } } },
      /^\$\.properties\.a\.type is "strng"/,
    ],
    ['an empty object', {}, /constrains nothing/],
    ['a dangling $ref', { $ref: '#/$defs/missing' }, /^the JSON Schema is not usable: /],
  ])('refuses %s with a one-line SchemaError before sending', async (_name, schema, message) => {
    const { client: llm } = client('json_schema');
    const error = await llm
      .generateObject({ schema: schema as never, prompt: 'p' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    expect((error as SchemaError).exitCode).toBe(2);
    expect(fixture.current.requests).toHaveLength(0);
  });

  it('refuses a zod schema that JSON Schema cannot express', async () => {
    const { client: llm } = client('json_schema');
    const error = await llm
      .generateObject({ schema: z.object({ at: z.date() }), prompt: 'p' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as Error).message).toMatch(/cannot be expressed as JSON Schema/);
  });

  it('refuses a name providers would reject', async () => {
    const { client: llm } = client('json_schema');
    await expect(
      llm.generateObject({ schema: extractInfo, prompt: 'p', name: 'extract info' }),
    ).rejects.toThrow(/^generateObject name "extract info" is not allowed/);
    expect(fixture.current.requests).toHaveLength(0);
  });

  it('refuses prompt and messages together, and neither', async () => {
    const { client: llm } = client('json_schema');
    await expect(
      llm.generateObject({ schema: extractInfo, prompt: 'a', messages: [{ role: 'user', content: 'b' }] }),
    ).rejects.toThrow(UsageError);
    await expect(llm.generateObject({ schema: extractInfo })).rejects.toThrow(/neither prompt nor messages/);
  });
});

describe('streamObject', () => {
  it('yields growing partial objects as the JSON streams, then the validated object', async () => {
    const { client: llm } = client('json_schema');
    const text = JSON.stringify(valid);
    fixture.current.enqueue({ chunks: text.match(/.{1,6}/g)! });
    const stream = llm.streamObject({ schema: extractInfo, prompt: 'p' });
    const partials: unknown[] = [];
    for await (const partial of stream) partials.push(partial);
    expect(partials.length).toBeGreaterThan(3);
    expect(partials[0]).toEqual({});
    expect(partials).toContainEqual({ key_people: ['Ada Lovelace'] });
    expect(partials.at(-1)).toEqual(valid);
    expect(await stream.object).toEqual(valid);
    expect(fixture.current.requests[0]!.body.stream).toBe(true);
  });

  it('streams a forced tool call’s arguments in tool mode', async () => {
    const { client: llm } = client('tool');
    fixture.current.enqueue({ toolCalls: [{ name: 'response', arguments: JSON.stringify(valid) }] });
    const stream = llm.streamObject({ schema: extractInfo, prompt: 'p' });
    const partials: unknown[] = [];
    for await (const partial of stream) partials.push(partial);
    expect(partials.at(-1)).toEqual(valid);
    expect((await stream.result).mode).toBe('tool');
  });

  it('repairs while streaming, and `object` resolves without iterating', async () => {
    const { client: llm } = client('json_schema');
    fixture.current.enqueue({ text: '{"key_people":[]}' }, { text: JSON.stringify(valid) });
    const stream = llm.streamObject({ schema: extractInfo, prompt: 'p' });
    expect(await stream.object).toEqual(valid);
    expect((await stream.result).attempts).toBe(2);
  });

  it('`result` also reads the stream when nobody iterates', async () => {
    const { client: llm } = client('json_schema');
    fixture.current.enqueue({ text: JSON.stringify(valid) });
    const result = await llm.streamObject({ schema: extractInfo, prompt: 'p' }).result;
    expect(result).toMatchObject({ object: valid, attempts: 1, mode: 'json_schema' });
  });

  it('rejects with StructuredOutputError when no attempt validates', async () => {
    const { client: llm } = client('json_schema');
    fixture.current.setDefault({ text: '{"nope":true}' });
    const stream = llm.streamObject({ schema: extractInfo, prompt: 'p', maxAttempts: 2 });
    await expect(stream.object).rejects.toThrow(StructuredOutputError);
  });
});
