import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TimeoutError, UsageError } from '../../src/errors/index.js';
import type { RecordedRequest } from '../../src/testing/index.js';
import { tool } from '../../src/tools/tool.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();

function toolMessages(request: RecordedRequest) {
  return (request.body.messages as Array<{ role: string; tool_call_id?: string; content: string }>).filter(
    (message) => message.role === 'tool',
  );
}

describe('the tool loop', () => {
  it('runs parallel tool calls concurrently, sends a failing tool’s error back, and answers', async () => {
    const { client, logs } = clientFor(fixture.current);
    let running = 0;
    let peak = 0;
    const weather = tool({
      description: 'Current weather of a city',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 50));
        running--;
        return { city, celsius: city === 'Beijing' ? 3 : 18 };
      },
    });
    const stocks = tool({
      parameters: z.object({ symbol: z.string() }),
      execute: async () => {
        throw new Error('market data service is down');
      },
    });
    fixture.current.enqueue(
      {
        toolCalls: [
          { id: 'c1', name: 'weather', arguments: '{"city":"Beijing"}' },
          { id: 'c2', name: 'weather', arguments: '{"city":"Shanghai"}' },
          { id: 'c3', name: 'stocks', arguments: '{"symbol":"BABA"}' },
        ],
      },
      { text: 'Beijing 3°C, Shanghai 18°C; stocks unavailable.' },
    );
    const result = await client.generate('weather and BABA?', { tools: { weather, stocks } });

    expect(result.text).toBe('Beijing 3°C, Shanghai 18°C; stocks unavailable.');
    expect(result.stopReason).toBe('done');
    expect(peak).toBe(2);
    expect(fixture.current.requests).toHaveLength(2);
    const first = fixture.current.requests[0]!.body;
    expect(first.tools.map((entry: { function: { name: string } }) => entry.function.name)).toEqual([
      'weather',
      'stocks',
    ]);
    expect(first.tools[0].function.parameters).toMatchObject({ type: 'object', required: ['city'] });
    const sent = toolMessages(fixture.current.requests[1]!);
    expect(sent).toEqual([
      { role: 'tool', tool_call_id: 'c1', content: '{"city":"Beijing","celsius":3}' },
      { role: 'tool', tool_call_id: 'c2', content: '{"city":"Shanghai","celsius":18}' },
      { role: 'tool', tool_call_id: 'c3', content: '{"error":"market data service is down"}' },
    ]);
    const assistant = fixture.current.requests[1]!.body.messages.find(
      (message: { role: string }) => message.role === 'assistant',
    );
    expect(assistant.tool_calls).toHaveLength(3);

    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolResults.map((entry) => entry.error ?? entry.result)).toEqual([
      { city: 'Beijing', celsius: 3 },
      { city: 'Shanghai', celsius: 18 },
      'market data service is down',
    ]);
    expect(result.steps[0]!.requestId).not.toBe(result.steps[1]!.requestId);
    expect(result.totalUsage.totalTokens).toBe(
      result.steps[0]!.usage!.totalTokens + result.steps[1]!.usage!.totalTokens,
    );
    const toolLines = logs().filter((line) => line['event'] === 'tool');
    expect(toolLines.map((line) => [line['tool'], line['status']])).toEqual(
      expect.arrayContaining([
        ['weather', 'ok'],
        ['stocks', 'error'],
      ]),
    );
    expect(logs().filter((line) => line['event'] === 'call')).toHaveLength(2);
  });

  it('sends invalid arguments and unknown tools back to the model as errors without running anything', async () => {
    const { client } = clientFor(fixture.current);
    let ran = 0;
    const add = tool({
      parameters: z.object({ a: z.number(), b: z.number() }),
      execute: ({ a, b }) => {
        ran++;
        return a + b;
      },
    });
    fixture.current.enqueue(
      {
        toolCalls: [
          { id: 'x1', name: 'add', arguments: '{"a":1,"b":"two"}' },
          { id: 'x2', name: 'subtract', arguments: '{}' },
          { id: 'x3', name: 'add', arguments: '{"a":1,' },
        ],
      },
      { text: 'sorry' },
    );
    await client.generate('1+2', { tools: { add } });
    expect(ran).toBe(0);
    const sent = toolMessages(fixture.current.requests[1]!).map(
      (message) => JSON.parse(message.content).error,
    );
    expect(sent[0]).toMatch(/^invalid arguments: \$\.b: /);
    expect(sent[1]).toBe('there is no tool named "subtract"; the tools are add');
    expect(sent[2]).toMatch(/^invalid arguments: \$: not valid JSON/);
  });

  it('returns tool calls to the caller when a tool has no execute', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ toolCalls: [{ id: 't1', name: 'confirm', arguments: '{"order":42}' }] });
    const result = await client.generate('cancel order 42', {
      tools: { confirm: { description: 'ask the human', parameters: z.object({ order: z.number() }) } },
    });
    expect(result.stopReason).toBe('client-tool');
    expect(result.pendingToolCalls).toEqual([
      { id: 't1', type: 'function', function: { name: 'confirm', arguments: '{"order":42}' } },
    ]);
    expect(result.toolCalls).toEqual(result.pendingToolCalls);
    expect(fixture.current.requests).toHaveLength(1);
  });

  it('stops after maxSteps calls and returns the pending calls unexecuted', async () => {
    const { client } = clientFor(fixture.current);
    let runs = 0;
    fixture.current.setDefault({ toolCalls: [{ name: 'again', arguments: '{}' }] });
    const result = await client.generate('loop', {
      maxSteps: 3,
      tools: { again: { parameters: z.object({}), execute: () => ++runs } },
    });
    expect(fixture.current.requests).toHaveLength(3);
    expect(runs).toBe(2);
    expect(result.stopReason).toBe('max-steps');
    expect(result.pendingToolCalls).toHaveLength(1);
  });

  it('accepts JSON Schema parameters and passes raw wire definitions through untouched', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ toolCalls: [{ name: 'lookup', arguments: '{"q":"x"}' }] }, { text: 'done' });
    const seen: unknown[] = [];
    await client.generate('q', {
      tools: {
        lookup: {
          parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
          execute: (args) => {
            seen.push(args);
            return 'found';
          },
        },
      },
    });
    expect(seen).toEqual([{ q: 'x' }]);
    expect(toolMessages(fixture.current.requests[1]!)[0]!.content).toBe('found');

    fixture.current.enqueue({ toolCalls: [{ name: 'raw', arguments: '{}' }] });
    const raw = await client.generate('q', {
      tools: [{ type: 'function', function: { name: 'raw', parameters: { type: 'object' } } }],
    });
    expect(raw.toolCalls[0]!.function.name).toBe('raw');
    expect(fixture.current.requests[2]!.body.tools).toEqual([
      { type: 'function', function: { name: 'raw', parameters: { type: 'object' } } },
    ]);
  });

  it('refuses a bad tool name or maxSteps before sending', async () => {
    const { client } = clientFor(fixture.current);
    await expect(
      client.generate('q', { tools: { 'bad name': { parameters: z.object({}), execute: () => 1 } } }),
    ).rejects.toThrow(UsageError);
    await expect(
      client.generate('q', { maxSteps: 0, tools: { ok: { parameters: z.object({}), execute: () => 1 } } }),
    ).rejects.toThrow(/maxSteps must be a whole number >= 1/);
    expect(fixture.current.requests).toHaveLength(0);
  });

  it('runs the executable calls of a mixed turn, returns the client calls and the conversation to resume from', async () => {
    const { client } = clientFor(fixture.current);
    const ran: string[] = [];
    fixture.current.enqueue({
      toolCalls: [
        { id: 'a', name: 'lookup', arguments: '{"q":"order 42"}' },
        { id: 'b', name: 'confirm', arguments: '{"question":"cancel it?"}' },
      ],
    });
    const result = await client.generate('cancel order 42', {
      tools: {
        lookup: tool({
          parameters: z.object({ q: z.string() }),
          execute: ({ q }) => {
            ran.push(q);
            return 'found';
          },
        }),
        confirm: { parameters: z.object({ question: z.string() }) },
      },
    });
    expect(ran).toEqual(['order 42']);
    expect(result.stopReason).toBe('client-tool');
    expect(result.pendingToolCalls.map((call) => call.id)).toEqual(['b']);
    expect(result.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(result.messages[2]).toEqual({ role: 'tool', tool_call_id: 'a', content: 'found' });

    fixture.current.enqueue({ text: 'cancelled' });
    const next = await client.generate(
      [...result.messages, { role: 'tool', tool_call_id: 'b', content: 'yes' }],
      { tools: { confirm: { parameters: z.object({ question: z.string() }) } } },
    );
    expect(next.text).toBe('cancelled');
    expect(toolMessages(fixture.current.requests[1]!).map((message) => message.tool_call_id)).toEqual([
      'a',
      'b',
    ]);
  });

  it('treats a call of an Object.prototype name as an unknown tool, and a result JSON cannot carry as the tool’s error', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue(
      {
        toolCalls: [
          { id: 'p', name: 'constructor', arguments: '{}' },
          { id: 'q', name: 'big', arguments: '{}' },
        ],
      },
      { text: 'ok' },
    );
    const result = await client.generate('x', {
      tools: { big: { parameters: z.object({}), execute: () => ({ n: 10n }) } },
    });
    expect(result.stopReason).toBe('done');
    const sent = toolMessages(fixture.current.requests[1]!).map(
      (message) => JSON.parse(message.content).error,
    );
    expect(sent[0]).toBe('there is no tool named "constructor"; the tools are big');
    expect(sent[1]).toMatch(/^the tool's result cannot be sent as JSON: /);
  });

  it('aborts a running tool’s signal at the loop deadline and throws TimeoutError instead of calling again', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ toolCalls: [{ name: 'slow', arguments: '{}' }] });
    let aborted = false;
    const error = await client
      .generate('x', {
        timeouts: { totalMs: 300 },
        tools: {
          slow: {
            parameters: z.object({}),
            execute: (_args, { signal }) =>
              new Promise((resolve) => {
                signal.addEventListener('abort', () => {
                  aborted = true;
                  resolve('late');
                });
              }),
          },
        },
      })
      .catch((caught: unknown) => caught);
    expect(aborted).toBe(true);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(fixture.current.requests).toHaveLength(1);
  });
});
