import { describe, expect, it } from 'vitest';
import type { BatchProgress } from '../../src/batch/types.js';
import { BudgetExceededError, UsageError } from '../../src/errors/index.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();

describe('client.batch', () => {
  it('finishes 500 items through injected 429s, 5xx and resets: every item ok or a recorded error, in input order', async () => {
    const { client } = clientFor(fixture.current);
    let count = 0;
    fixture.current.setDefault(() => {
      count++;
      if (count % 7 === 0) return { status: 429, headers: { 'retry-after-ms': '5' } };
      if (count % 11 === 0) return { status: 503 };
      if (count % 13 === 0) return { fault: 'reset-before-headers' };
      return {};
    });
    const items = Array.from({ length: 500 }, (_, index) => ({
      id: `q${index}`,
      prompt: `question ${index}`,
    }));
    // The first request gets an error that is not retryable: the batch records it and goes on.
    fixture.current.enqueue({ status: 400, body: { error: { message: 'max_tokens must be positive' } } });
    const progress: BatchProgress[] = [];
    const results = await client.batch(items, {
      concurrency: 16,
      maxRetries: 5,
      onProgress: (p) => progress.push(p),
    });
    expect(results).toHaveLength(500);
    expect(results.map((result) => result.id)).toEqual(items.map((item) => item.id));
    const failed = results.filter((result) => !result.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.ok === false && failed[0]!.error.code).toBe('invalid_request');
    for (const result of results) {
      if (result.ok)
        expect('text' in result.value && result.value.text).toBe(`echo: ${items[result.index]!.prompt}`);
      else expect(result.error.message).toBeTruthy();
    }
    expect(results.some((result) => result.attempts > 1)).toBe(true);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ total: 500, done: 500, skipped: 0, inFlight: 0 });
    expect(last.ok + last.failed).toBe(500);
    expect(last.totalTokens).toBeGreaterThan(0);
  });

  it('halves concurrency on a 429 and pauses every start for its Retry-After', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.setDefault({ latencyMs: 20 });
    fixture.current.enqueue({ status: 429, headers: { 'retry-after-ms': '300' } });
    const limits: number[] = [];
    const results = await client.batch(
      Array.from({ length: 24 }, (_, index) => `p${index}`),
      { concurrency: 8, onProgress: (p) => limits.push(p.concurrency) },
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(Math.min(...limits)).toBe(4);
    const requests = fixture.current.requests;
    const limited = requests[0]!.receivedAt;
    // The eight first requests went out together; after the 429 nobody started for 300 ms.
    const later = requests.slice(8).map((request) => request.receivedAt - limited);
    expect(Math.min(...later)).toBeGreaterThanOrEqual(290);
  });

  it('paces starts with the RPM bucket', async () => {
    const { client } = clientFor(fixture.current);
    await client.batch(
      Array.from({ length: 62 }, (_, index) => `p${index}`),
      { concurrency: 64, rpm: 60 },
    );
    const times = fixture.current.requests.map((request) => request.receivedAt).sort((a, b) => a - b);
    // A full bucket lets 60 go at once; the 62nd waits for two more tokens, at one a second.
    expect(times[61]! - times[0]!).toBeGreaterThanOrEqual(1_900);
  });

  it('paces starts with the TPM bucket from pre-flight estimates (input plus maxTokens)', async () => {
    const { client } = clientFor(fixture.current);
    // Each item is estimated at 500 + its input tokens: the second must wait for the bucket to refill.
    await client.batch(['first', 'second'], { concurrency: 2, tpm: 1_000, defaults: { maxTokens: 500 } });
    const [first, second] = fixture.current.requests.map((request) => request.receivedAt);
    expect(second! - first!).toBeGreaterThanOrEqual(200);
  });

  it('stops scheduling at a budget refusal: the rest is skipped: budget, nothing more is sent', async () => {
    const { client } = clientFor(fixture.current, {
      overrides: {
        prices: { 'fake/fake-model': { input: 1, output: 1 } },
        budgets: [{ name: 'tiny', scope: 'global', period: 'day', limitUsd: 0.0001 }],
        budgetSettings: {
          path: `${process.env['TMPDIR'] ?? '/tmp'}/llmkit-batch-budget-${process.pid}-${Date.now()}.db`,
        },
      },
    });
    const results = await client.batch(
      Array.from({ length: 20 }, (_, index) => ({ id: `i${index}`, prompt: 'hello', maxTokens: 20 })),
      { concurrency: 1 },
    );
    const ok = results.filter((result) => result.ok).length;
    const skipped = results.filter((result) => !result.ok && result.skipped === 'budget');
    expect(ok).toBeGreaterThan(0);
    expect(ok + skipped.length).toBe(20);
    expect(skipped[0]!.ok === false && skipped[0]!.error).toBeInstanceOf(BudgetExceededError);
    expect(fixture.current.requests).toHaveLength(ok);
    await client.close();
  });

  it('aborts: in-flight calls are cancelled and the rest is skipped: aborted', async () => {
    const { client } = clientFor(fixture.current);
    fixture.current.setDefault({ latencyMs: 50 });
    const controller = new AbortController();
    const results = await client.batch(
      Array.from({ length: 20 }, (_, index) => `p${index}`),
      {
        concurrency: 2,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done === 4) controller.abort();
        },
      },
    );
    expect(results.filter((result) => result.ok)).toHaveLength(4);
    expect(results.filter((result) => !result.ok && result.skipped === 'aborted')).toHaveLength(16);
  });

  it('an already aborted signal skips everything; a Retry-After beyond retry.maxRetryAfterMs fails the item instead of hammering', async () => {
    const { client } = clientFor(fixture.current, {
      overrides: { retry: { maxRetryAfterMs: 1_000, baseDelayMs: 1 } },
    });
    const results = await client.batch(['a', 'b'], { signal: AbortSignal.abort() });
    expect(results.map((result) => !result.ok && result.skipped)).toEqual(['aborted', 'aborted']);
    expect(fixture.current.requests).toHaveLength(0);

    fixture.current.enqueue({ status: 429, headers: { 'retry-after': '3600' } });
    const [limited] = await client.batch(['c'], { maxRetries: 3 });
    expect(limited!.ok).toBe(false);
    expect(limited!.attempts).toBe(1);
    expect(fixture.current.requests).toHaveLength(1);
  });

  it('a progress callback that throws rejects the batch instead of hanging it', async () => {
    const { client } = clientFor(fixture.current);
    let calls = 0;
    await expect(
      client.batch(['a', 'b', 'c'], {
        onProgress: () => {
          if (++calls === 2) throw new Error('display broke');
        },
      }),
    ).rejects.toThrow('display broke');
  });

  it('refuses duplicate ids and items without a prompt before sending anything', async () => {
    const { client } = clientFor(fixture.current);
    await expect(
      client.batch([
        { id: 'a', prompt: 'x' },
        { id: 'a', prompt: 'y' },
      ]),
    ).rejects.toThrow(/^batch items 0 and 1 share the id "a"/);
    await expect(client.batch([{ id: 'a' }])).rejects.toThrow(UsageError);
    await expect(client.batch(['x'], { concurrency: 0 })).rejects.toThrow(
      /concurrency must be a whole number >= 1/,
    );
    expect(fixture.current.requests).toHaveLength(0);
  });
});
