import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayFixture, sseEvents, startGateway } from './gateway-fixture.js';

let gw: GatewayFixture | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const streamBody = {
  model: 'fake/fake-model',
  stream: true,
  messages: [{ role: 'user', content: 'tell a story' }],
};
const manyChunks = Array.from({ length: 60 }, (_, index) => `word${index} `);

/** The ledger row of a call, once it is settled (polled: settling follows the disconnect). */
async function rowFor(fixture: GatewayFixture, requestId: string | null) {
  for (let tries = 0; tries < 200; tries++) {
    const row = (await fixture.ledgerRows()).find((candidate) => candidate['request_id'] === requestId);
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no settled ledger row for ${requestId}`);
}

/** Reads the first event of an SSE response, then drops the connection. */
async function leaveAfterFirstEvent(fixture: GatewayFixture) {
  const controller = new AbortController();
  const live = await fetch(`${fixture.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fixture.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(streamBody),
    signal: controller.signal,
  });
  const reader = live.body!.getReader();
  await reader.read();
  controller.abort();
  return live.headers.get('x-llmkit-request-id');
}

describe('streams through the gateway', () => {
  it('a client that disconnects aborts the upstream; what arrived is billed (estimated)', async () => {
    gw = await startGateway();
    gw.upstream.setDefault({ chunks: manyChunks, interTokenDelayMs: 30 });
    const id = await leaveAfterFirstEvent(gw);
    const row = await rowFor(gw, id);
    expect(row['status']).toBe('aborted');
    expect(row['usage_source']).toBe('estimated');
    // Far fewer than the 60 words the upstream would have sent.
    expect(Number(row['output_tokens'])).toBeGreaterThan(0);
    expect(Number(row['output_tokens'])).toBeLessThan(60);
  });

  it('with onClientDisconnect: drain, the upstream runs to its usage event and that is billed', async () => {
    gw = await startGateway({ overrides: { gateway: { port: 0, onClientDisconnect: 'drain' } } });
    gw.upstream.setDefault({
      chunks: manyChunks.slice(0, 20),
      interTokenDelayMs: 10,
      usage: { prompt_tokens: 7, completion_tokens: 77 },
    });
    const id = await leaveAfterFirstEvent(gw);
    const row = await rowFor(gw, id);
    expect(row).toMatchObject({ status: 'ok', usage_source: 'provider', input_tokens: 7, output_tokens: 77 });
  });

  it('an upstream failure mid-stream ends with an error event and no [DONE]', async () => {
    gw = await startGateway();
    gw.upstream.enqueue({
      chunks: ['one ', 'two ', 'three'],
      fault: 'reset-mid-stream',
      faultAfterChunks: 2,
    });
    const response = await gw.post('/v1/chat/completions', streamBody);
    expect(response.status).toBe(200);
    const events = await sseEvents(response);
    expect(events).not.toContain('[DONE]');
    const last = events.at(-1) as { error?: { code: string; type: string; message: string } };
    expect(last.error).toMatchObject({ type: 'api_error' });
    expect(last.error?.code).toMatch(/stream_interrupted|connection/);
    const text = (events.slice(0, -1) as Array<{ choices: Array<{ delta: { content?: string } }> }>)
      .map((event) => event.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('one two ');
  });

  it('a stalled upstream is cut by the idle timeout, with an error event', async () => {
    gw = await startGateway({
      overrides: { gateway: { port: 0 }, timeouts: { idleMs: 300 }, retry: { maxRetries: 0 } },
    });
    gw.upstream.enqueue({ chunks: ['a ', 'b ', 'c'], fault: 'stall-mid-stream', faultAfterChunks: 1 });
    const response = await gw.post('/v1/chat/completions', streamBody);
    const events = await sseEvents(response);
    expect(events).not.toContain('[DONE]');
    expect((events.at(-1) as { error: { code: string } }).error.code).toBe('timeout');
    expect((events.at(-1) as { error: { message: string } }).error.message).toMatch(/idle/);
  });

  it('an error before the first byte is a plain HTTP error, not a 200 stream', async () => {
    gw = await startGateway({ overrides: { gateway: { port: 0 }, retry: { maxRetries: 0 } } });
    gw.upstream.enqueue({ status: 503 });
    const response = await gw.post('/v1/chat/completions', streamBody);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('server_error');
  });
});
