import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/client/llm-stream.js';
import {
  AbortedError,
  InternalServerError,
  InvalidResponseError,
  StreamInterruptedError,
} from '../../src/errors/index.js';
import { sseFromChunks } from '../../src/testing/index.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();

async function collect(iterable: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

describe('stream', () => {
  it('yields text deltas in order, then finish and usage; the result matches', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({
      chunks: ['Hel', 'lo ', '世界'],
      usage: { prompt_tokens: 4, completion_tokens: 3 },
    });
    const stream = client.stream('hi');
    const events = await collect(stream);
    expect(events.filter((event) => event.type === 'text-delta').map((event) => event.text)).toEqual([
      'Hel',
      'lo ',
      '世界',
    ]);
    expect(events.at(-2)).toEqual({ type: 'finish', finishReason: 'stop', choiceIndex: 0 });
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { inputTokens: 4, outputTokens: 3, totalTokens: 7 },
    });
    const result = await stream.result;
    expect(result).toMatchObject({
      text: 'Hello 世界',
      finishReason: 'stop',
      attempts: 1,
      usage: { totalTokens: 7 },
    });
    expect(result.ttftMs).toBeGreaterThanOrEqual(0);
    expect(fixture.current.requests[0]!.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('assembles streamed tool calls', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: '{"city":"Beijing"}' },
        { id: 'call_b', name: 'get_time', arguments: '{"tz":"Asia/Shanghai"}' },
      ],
    });
    const stream = client.stream('weather and time?');
    const events = await collect(stream);
    expect(events.some((event) => event.type === 'tool-call-delta')).toBe(true);
    const result = await stream.result;
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Beijing"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Asia/Shanghai"}' } },
    ]);
  });

  it('result works without iterating', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ text: 'no loop needed' });
    await expect(client.stream('hi').finish()).resolves.toMatchObject({ text: 'no loop needed' });
  });

  it('retries a failure before the first delta, transparently', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue(
      { status: 502 },
      { fault: 'reset-mid-stream', faultAfterChunks: 0 },
      { chunks: ['ok'] },
    );
    const stream = client.stream('hi');
    const text = (await collect(stream))
      .flatMap((event) => (event.type === 'text-delta' ? [event.text] : []))
      .join('');
    expect(text).toBe('ok');
    expect((await stream.result).attempts).toBe(3);
  });

  it('never retries after a delta reached the caller: the stream errors with StreamInterruptedError', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({
      chunks: ['one ', 'two ', 'three'],
      fault: 'reset-mid-stream',
      faultAfterChunks: 1,
    });
    const seen: string[] = [];
    const stream = client.stream('hi');
    const error = await (async () => {
      for await (const event of stream) if (event.type === 'text-delta') seen.push(event.text);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(seen).toEqual(['one ']);
    expect(fixture.current.requests).toHaveLength(1);
    await expect(stream.result).rejects.toBeInstanceOf(StreamInterruptedError);
    expect(client.totals).toMatchObject({ calls: 1, failed: 1 });
  });

  it('a clean EOF without [DONE] after finish_reason is a complete answer', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ chunks: ['complete'], fault: 'eof-without-done' });
    await expect(client.stream('hi').finish()).resolves.toMatchObject({
      text: 'complete',
      finishReason: 'stop',
    });
  });

  it('a stream truncated mid-event is a StreamInterruptedError', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.setDefault({ fault: 'truncate-mid-event' });
    await expect(client.stream('hi', { maxRetries: 0 }).finish()).rejects.toBeInstanceOf(
      StreamInterruptedError,
    );
  });

  it('an `event: error` mid-stream is the upstream’s typed error', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ chunks: ['a', 'b'], fault: 'stream-error-event', faultAfterChunks: 1 });
    const error = await client
      .stream('hi')
      .finish()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
  });

  it('a data line that is not JSON is an InvalidResponseError', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.setDefault({ fault: 'malformed-sse' });
    await expect(client.stream('hi', { maxRetries: 0 }).finish()).rejects.toBeInstanceOf(
      InvalidResponseError,
    );
  });

  it('ignores pings, CRLF and data after [DONE]', async () => {
    const { client } = clientFor(fixture.current);
    const chunk = (content: string) => ({
      id: 'c1',
      object: 'chat.completion.chunk',
      model: 'm',
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    });
    const finish = {
      id: 'c1',
      object: 'chat.completion.chunk',
      model: 'm',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    };
    const sse = `: ping\r\n\r\n${sseFromChunks([chunk('a'), chunk('b'), finish], { done: true }).replaceAll('\n', '\r\n')}data: {"choices":[{"index":0,"delta":{"content":"ignored"}}]}\n\n`;
    fixture.current.enqueue({ sse });
    await expect(client.stream('hi').finish()).resolves.toMatchObject({ text: 'ab' });
  });

  it('leaving the loop early aborts the upstream request and records the call as aborted', async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = {
        id: 'x',
        object: 'chat.completion.chunk',
        model: 'm',
        choices: [{ index: 0, delta: { content: 'tick ' }, finish_reason: null }],
      };
      const timer = setInterval(() => response.write(`data: ${JSON.stringify(chunk)}\n\n`), 5);
      request.socket.on('close', () => {
        clearInterval(timer);
        closed();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      const { client } = clientFor(fixture.current, {
        overrides: { providers: { fake: { baseURL: url, apiKeyRequired: false } } },
      });
      const stream = client.stream('count forever');
      let received = 0;
      for await (const event of stream) {
        if (event.type === 'text-delta' && ++received === 3) break;
      }
      await upstreamClosed; // Resolves only because the socket was closed by the client.
      await expect(stream.result).rejects.toBeInstanceOf(AbortedError);
      expect(client.totals).toMatchObject({ calls: 1, aborted: 1 });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an AbortSignal cancels a call waiting out a retry', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.enqueue({ status: 503, headers: { 'retry-after': '50' } });
    const controller = new AbortController();
    const pending = client.generate('hi', { signal: controller.signal });
    while (fixture.current.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(fixture.current.requests).toHaveLength(1);
  });
});
