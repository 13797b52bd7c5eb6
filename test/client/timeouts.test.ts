import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeoutError } from '../../src/errors/index.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

// Fake timers drive llmkit's own timers; sockets stay real. Polling uses setImmediate,
// which is not faked, so no time passes for llmkit while we wait for the upstream.
const fixture = useFakeUpstream();
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => vi.useRealTimers());

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const timeouts = { totalMs: 60_000, firstTokenMs: 2_000, idleMs: 1_000 };

describe('the three timeouts', () => {
  it('first-token: response headers that never arrive', async () => {
    const { client } = clientFor(fixture.current, { overrides: { timeouts } });
    fixture.current.enqueue({ fault: 'hang-before-headers' });
    const outcome = client
      .stream('hi', { maxRetries: 0 })
      .finish()
      .catch((error: unknown) => error);
    await until(() => fixture.current.requests.length === 1);
    await vi.advanceTimersByTimeAsync(1_999);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeout: 'first-token', timeoutMs: 2_000, provider: 'fake' });
  });

  it('first-token: headers arrived but no token, then a retry succeeds', async () => {
    const { client } = clientFor(fixture.current, { overrides: { timeouts } });
    fixture.current.enqueue(
      { fault: 'stall-mid-stream', faultAfterChunks: 0 },
      { chunks: ['second', ' try'] },
    );
    const outcome = client.stream('hi', { maxRetries: 1 }).finish();
    await until(() => fixture.current.requests.length === 1);
    await vi.advanceTimersByTimeAsync(2_000);
    await vi.advanceTimersByTimeAsync(10); // the jittered backoff (at most 1 ms here)
    await expect(outcome).resolves.toMatchObject({ text: 'second try', attempts: 2 });
  });

  it('idle: a stream that stalls after output began', async () => {
    const { client } = clientFor(fixture.current, { overrides: { timeouts } });
    fixture.current.enqueue({ chunks: ['a', 'b', 'c'], fault: 'stall-mid-stream', faultAfterChunks: 1 });
    const stream = client.stream('hi');
    const deltas: string[] = [];
    const outcome = (async () => {
      for await (const event of stream) if (event.type === 'text-delta') deltas.push(event.text);
    })().catch((error: unknown) => error);
    await until(() => deltas.length === 1);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await outcome;
    expect(error).toMatchObject({ timeout: 'idle', timeoutMs: 1_000 });
    expect(fixture.current.requests).toHaveLength(1); // output reached the caller: no retry
  });

  it('total: the deadline of the whole call, never retried', async () => {
    const { client } = clientFor(fixture.current, {
      overrides: { timeouts: { ...timeouts, totalMs: 5_000 } },
    });
    fixture.current.setDefault({ fault: 'hang-before-headers' });
    const outcome = client.generate('hi', { maxRetries: 5 }).catch((error: unknown) => error);
    await until(() => fixture.current.requests.length === 1);
    await vi.advanceTimersByTimeAsync(5_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeout: 'total', timeoutMs: 5_000 });
    expect(fixture.current.requests).toHaveLength(1);
  });

  it('per-call options override the configured timeouts', async () => {
    const { client } = clientFor(fixture.current, { overrides: { timeouts } });
    fixture.current.enqueue({ fault: 'hang-before-headers' });
    const outcome = client
      .stream('hi', { maxRetries: 0, timeouts: { firstTokenMs: 300 } })
      .finish()
      .catch((error: unknown) => error);
    await until(() => fixture.current.requests.length === 1);
    await vi.advanceTimersByTimeAsync(300);
    expect(await outcome).toMatchObject({ timeout: 'first-token', timeoutMs: 300 });
  });
});
