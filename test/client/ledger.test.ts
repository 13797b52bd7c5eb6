import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortedError, InvalidRequestError } from '../../src/errors/index.js';
import { countTextTokens } from '../../src/tokens/index.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();
const directory = mkdtempSync(join(tmpdir(), 'llmkit-ledger-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let databases = 0;

/** A client with its own SQLite ledger and a price for the fake model: $1 in, $2 out per 1M tokens. */
function pricedClient(overrides: Record<string, unknown> = {}) {
  return clientFor(fixture.current, {
    overrides: {
      ledger: { enabled: true, path: join(directory, `ledger-${++databases}.db`) },
      prices: { 'fake/fake-model': { input: 1, output: 2 } },
      ...overrides,
    },
  });
}

describe('settle: cost and the ledger', () => {
  it('prices the reported usage exactly and writes one call row', async () => {
    const { client } = pricedClient();
    fixture.current.enqueue({ usage: { prompt_tokens: 1_000, completion_tokens: 500 } });
    const result = await client.generate('hi', { tags: ['demo', 'nightly'], project: 'search', user: 'u-7' });
    expect(result).toMatchObject({ costNanos: 2_000_000, cost: 0.002, usageSource: 'provider' });
    expect(client.totalCost).toBe(0.002);
    expect(client.calculateCost({ inputTokens: 1_000, outputTokens: 500, totalTokens: 1_500 })).toBe(0.002);
    const summary = await client.usage.summary({ groupBy: 'tag' });
    expect(summary.rows.map((row) => [row.group, row.calls, row.costNanos])).toEqual([
      ['demo', 1, 2_000_000],
      ['nightly', 1, 2_000_000],
    ]);
    expect(summary.totals).toMatchObject({
      calls: 1,
      inputTokens: 1_000,
      outputTokens: 500,
      costNanos: 2_000_000,
    });
    expect((await client.usage.summary({ groupBy: 'project' })).rows[0]).toMatchObject({ group: 'search' });
    expect((await client.usage.summary({ groupBy: 'user' })).rows[0]).toMatchObject({ group: 'u-7' });
    await client.close();
  });

  it('a retried request is one call with several attempts, billed once', async () => {
    const { client } = pricedClient();
    fixture.current.enqueue(
      { status: 503 },
      { status: 429 },
      { usage: { prompt_tokens: 10, completion_tokens: 10 } },
    );
    await client.generate('hi');
    const summary = await client.usage.summary({ groupBy: 'status' });
    expect(summary.totals).toMatchObject({ calls: 1, inputTokens: 10, outputTokens: 10, costNanos: 30_000 });
    await client.close();
  });

  it('a stream without usage is billed for what was received, marked estimated', async () => {
    const { client } = pricedClient();
    fixture.current.enqueue({ chunks: ['one two three four'], usage: false });
    const result = await client.stream('count to four').finish();
    expect(result.usageSource).toBe('estimated');
    expect(result.usage!.inputTokens).toBeGreaterThan(0);
    expect(result.usage!.outputTokens).toBe(4);
    expect(result.costNanos).toBe(result.usage!.inputTokens * 1_000 + 4 * 2_000);
    expect((await client.usage.summary()).totals).toMatchObject({ calls: 1, estimatedCalls: 1 });
    await client.close();
  });

  it('a stream the caller aborts is billed for the tokens it received', async () => {
    const { client } = pricedClient();
    fixture.current.enqueue({ chunks: Array.from({ length: 50 }, () => 'word '), interTokenDelayMs: 5 });
    const stream = client.stream('talk');
    let deltas = 0;
    for await (const event of stream) if (event.type === 'text-delta' && ++deltas === 3) break;
    await expect(stream.result).rejects.toBeInstanceOf(AbortedError);
    const summary = await client.usage.summary({ groupBy: 'status' });
    const received = countTextTokens('word word word ', 'o200k_base');
    expect(summary.rows).toEqual([
      expect.objectContaining({ group: 'aborted', calls: 1, outputTokens: received, estimatedCalls: 1 }),
    ]);
    expect(summary.totals.costNanos).toBeGreaterThan(3 * 2_000);
    await client.close();
  });

  it('an unknown model costs null, never $0, with one warning per model', async () => {
    const { client, logs } = pricedClient({ prices: {} });
    await client.generate('one', { model: 'fake/mystery-model' });
    const second = await client.generate('two', { model: 'fake/mystery-model' });
    expect(second.cost).toBeNull();
    expect(client.totals).toMatchObject({ unpricedCalls: 2, costNanos: 0 });
    const warnings = logs().filter((line) =>
      String(line['msg']).includes('no price known for fake/mystery-model'),
    );
    expect(warnings).toHaveLength(1);
    const summary = await client.usage.summary();
    expect(summary.totals).toMatchObject({ calls: 2, unpricedCalls: 2, costNanos: 0 });
    expect(
      client.calculateCost({ inputTokens: 1, outputTokens: 1, totalTokens: 2 }, 'fake/mystery-model'),
    ).toBeNull();
    await client.close();
  });
});

describe('pre-flight', () => {
  it('refuses a prompt over the context window before sending, and leaves no ledger row', async () => {
    const { client } = pricedClient({ models: { 'fake/fake-model': { contextWindow: 50 } } });
    const error = await client.generate('lorem ipsum '.repeat(100)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/exceed the 50-token context window of fake\/fake-model/);
    expect(fixture.current.requests).toHaveLength(0);
    expect((await client.usage.summary()).totals.calls).toBe(0);
    await client.close();
  });

  it('counts max_tokens against the window', async () => {
    const { client } = pricedClient({ models: { 'fake/fake-model': { contextWindow: 1_000 } } });
    await expect(client.generate('short', { maxTokens: 2_000 })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(client.generate('short', { maxTokens: 500 })).resolves.toMatchObject({
      finishReason: 'stop',
    });
    await client.close();
  });
});
