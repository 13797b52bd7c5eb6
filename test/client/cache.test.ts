import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { LLMClient } from '../../src/client/llm-client.js';
import { openSqliteLedger } from '../../src/ledger/index.js';
import { type ClientForOptions, clientFor } from '../support/client-for.js';
import { redisUrl } from '../support/services.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();
const directory = mkdtempSync(join(tmpdir(), 'llmkit-cache-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const upstreamCalls = () => fixture.current.requests.length;
const url = await redisUrl();

/** A client with a ledger of its own and a price for the fake model ($1 in, $2 out per 1M tokens). */
function cachedClient(cache: Record<string, unknown> = {}, options: ClientForOptions = {}) {
  const ledgerPath = join(directory, `ledger-${++files}.db`);
  const made = clientFor(fixture.current, {
    ...options,
    overrides: {
      ledger: { enabled: true, path: ledgerPath },
      prices: { 'fake/fake-model': { input: 1, output: 2 } },
      cache,
      ...options.overrides,
    },
  });
  return { ...made, ledgerPath };
}

/** Every call row, read from the ledger file once the client has flushed it. */
async function ledgerCalls(client: LLMClient, ledgerPath: string, requestIds: string[]) {
  await client.close();
  const store = openSqliteLedger(ledgerPath);
  const rows = await Promise.all(requestIds.map((id) => store.findCall(id)));
  await store.close();
  return rows.map((row) => row?.call);
}

async function streamedText(client: LLMClient, prompt: string, options = {}) {
  let text = '';
  const stream = client.stream(prompt, options);
  for await (const event of stream) if (event.type === 'text-delta') text += event.text;
  return { text, result: await stream.result };
}

async function lookups(client: LLMClient, result: 'hit' | 'miss') {
  const metric = await client.metrics.cacheLookups.get();
  return metric.values.find((value) => value.labels['result'] === result)?.value ?? 0;
}

describe('response cache: hits and misses', () => {
  it('answers a repeat from the cache: nothing sent, the same answer, cost 0 and cache hit in the ledger', async () => {
    const { client, ledgerPath } = cachedClient();
    fixture.current.enqueue({ text: 'Paris', usage: { prompt_tokens: 1_000, completion_tokens: 500 } });
    const first = await client.generate('capital of France?', { cache: true });
    const second = await client.generate('capital of France?', { cache: true });
    expect(upstreamCalls()).toBe(1);
    expect(first).toMatchObject({ text: 'Paris', cache: 'miss', costNanos: 2_000_000, attempts: 1 });
    expect(second).toMatchObject({ text: 'Paris', cache: 'hit', costNanos: 0, cost: 0, attempts: 0 });
    expect(second.model).toBe('fake/fake-model');
    // The stored answer's usage is reported for reference; the hit itself billed nothing.
    expect(second.usage).toEqual(first.usage);
    expect(client.totalCost).toBe(0.002);
    expect([await lookups(client, 'miss'), await lookups(client, 'hit')]).toEqual([1, 1]);
    const summary = await client.usage.summary();
    expect(summary.totals).toMatchObject({ calls: 2, cacheHits: 1, costNanos: 2_000_000 });
    const [missRow, hitRow] = await ledgerCalls(client, ledgerPath, [first.requestId, second.requestId]);
    expect(missRow).toMatchObject({ cache: 'miss', costNanos: 2_000_000, attempts: 1 });
    expect(hitRow).toMatchObject({
      cache: 'hit',
      costNanos: 0,
      attempts: 0,
      provider: 'fake',
      model: 'fake-model',
      inputTokens: 1_000,
      outputTokens: 500,
    });
  });

  it('misses when anything that changes the answer differs, but not for the user label', async () => {
    const { client } = cachedClient();
    await client.generate('hi', { cache: true, temperature: 0 });
    await client.generate('hi', { cache: true, temperature: 0, user: 'someone-else' });
    expect(upstreamCalls()).toBe(1);
    await client.generate('hi', { cache: true, temperature: 1 });
    await client.generate('hi', { cache: true, temperature: 0, maxTokens: 5 });
    await client.generate('hi', { cache: true, temperature: 0, system: 'be brief' });
    await client.generate('hello', { cache: true, temperature: 0 });
    expect(upstreamCalls()).toBe(5);
    await client.close();
  });

  it('forgets an answer once its TTL passed; a call may set its own TTL', async () => {
    // Only Date is faked: timers and sockets stay real, the cache's clock jumps.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { client } = cachedClient({ ttlSeconds: 60 });
      await client.generate('hi', { cache: true });
      await client.generate('short', { cache: { ttlSeconds: 5 } });
      vi.setSystemTime(Date.now() + 59_000);
      expect((await client.generate('hi', { cache: true })).cache).toBe('hit');
      expect((await client.generate('short', { cache: true })).cache).toBe('miss');
      vi.setSystemTime(Date.now() + 2_000);
      expect((await client.generate('hi', { cache: true })).cache).toBe('miss');
      expect(upstreamCalls()).toBe(4);
      await client.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('caches nothing unless asked: per call, or by model name in cache.models; cache: false bypasses', async () => {
    const { client } = cachedClient(
      { models: ['fast', 'fake/listed-model'] },
      { overrides: { aliases: { fast: 'fake/fake-model', listed: 'fake/listed-model' } } },
    );
    await client.generate('a');
    await client.generate('a');
    expect(upstreamCalls()).toBe(2);
    // The alias is listed: cached without asking. The same model by its own name is not.
    await client.generate('b', { model: 'fast' });
    await client.generate('b', { model: 'fast' });
    expect(upstreamCalls()).toBe(3);
    await client.generate('b', { model: 'fake/fake-model' });
    expect(upstreamCalls()).toBe(4);
    // A listed provider/model is cached whatever alias names it.
    await client.generate('c', { model: 'listed' });
    await client.generate('c', { model: 'listed' });
    expect(upstreamCalls()).toBe(5);
    const bypass = await client.generate('b', { model: 'fast', cache: false });
    expect(upstreamCalls()).toBe(6);
    expect(bypass.cache).toBeUndefined();
    await client.close();
  });

  it('refuses a per-call TTL that is not a positive number, before sending', async () => {
    const { client } = cachedClient();
    await expect(client.generate('hi', { cache: { ttlSeconds: 0 } })).rejects.toThrow(
      /ttlSeconds must be a number > 0/,
    );
    expect(upstreamCalls()).toBe(0);
    await client.close();
  });

  it('a hit releases the budget reservation and spends nothing on it, in dollars or tokens', async () => {
    const { client } = cachedClient(
      {},
      {
        overrides: {
          budgets: [{ name: 'daily', scope: 'global', period: 'day', limitUsd: 1, limitTokens: 1_000_000 }],
          budgetSettings: { path: join(directory, `budgets-${++files}.db`) },
        },
      },
    );
    fixture.current.enqueue({ usage: { prompt_tokens: 1_000, completion_tokens: 500 } });
    await client.generate('hi', { cache: true, maxTokens: 1_000 });
    await client.generate('hi', { cache: true, maxTokens: 1_000 });
    expect(upstreamCalls()).toBe(1);
    await vi.waitFor(async () => {
      const [row] = await client.budgets!.status();
      expect(row).toMatchObject({ spentUsd: 0.002, reservedUsd: 0, spentTokens: 1_500, reservedTokens: 0 });
    });
    await client.close();
  });
});

describe('response cache: streams', () => {
  it('a streamed repeat streams the stored answer; streamed and whole calls share entries', async () => {
    const { client } = cachedClient();
    fixture.current.enqueue({ text: 'one two three', chunks: ['one ', 'two ', 'three'] });
    const streamed = await streamedText(client, 'count', { cache: true });
    const replayed = await streamedText(client, 'count', { cache: true });
    const whole = await client.generate('count', { cache: true });
    expect(upstreamCalls()).toBe(1);
    expect(streamed).toMatchObject({ text: 'one two three', result: { cache: 'miss' } });
    expect(replayed).toMatchObject({ text: 'one two three', result: { cache: 'hit', costNanos: 0 } });
    expect(whole).toMatchObject({ text: 'one two three', cache: 'hit' });

    await client.generate('again', { cache: true });
    expect(await streamedText(client, 'again', { cache: true })).toMatchObject({
      text: 'echo: again',
      result: { cache: 'hit', finishReason: 'stop' },
    });
    expect(upstreamCalls()).toBe(2);
    await client.close();
  });

  it('stores neither errors, nor streams cut short by the caller or the upstream', async () => {
    const { client } = cachedClient();
    fixture.current.enqueue({ status: 400 });
    await expect(client.generate('bad', { cache: true })).rejects.toMatchObject({ status: 400 });
    await client.generate('bad', { cache: true });
    expect(upstreamCalls()).toBe(2);

    fixture.current.enqueue({ chunks: Array.from({ length: 20 }, () => 'word ') });
    const stream = client.stream('long', { cache: true });
    for await (const event of stream) if (event.type === 'text-delta') break;
    await expect(stream.result).rejects.toThrow();
    fixture.current.enqueue({ chunks: ['par', 'tial'], fault: 'reset-mid-stream', faultAfterChunks: 1 });
    await expect(streamedText(client, 'long', { cache: true })).rejects.toThrow();
    // Neither cut-short answer was stored: this one goes upstream, and is then a hit.
    expect((await client.generate('long', { cache: true })).cache).toBe('miss');
    expect((await client.generate('long', { cache: true })).cache).toBe('hit');
    expect(upstreamCalls()).toBe(5);
    await client.close();
  });
});

describe('response cache: tenants', () => {
  it('keeps entries apart per gateway key, unless perKey is false', async () => {
    const { client } = cachedClient();
    const keyA = { key: { name: 'team-a' }, cache: true };
    const keyB = { key: { name: 'team-b' }, cache: true };
    fixture.current.enqueue({ text: 'for A' }, { text: 'for B' });
    expect((await client.generate('secret?', keyA)).text).toBe('for A');
    expect((await client.generate('secret?', keyB)).text).toBe('for B');
    expect((await client.generate('secret?', keyA)).text).toBe('for A');
    expect((await client.generate('secret?', keyB)).text).toBe('for B');
    expect(upstreamCalls()).toBe(2);
    await client.close();

    const shared = cachedClient({ perKey: false }).client;
    await shared.generate('shared?', keyA);
    expect((await shared.generate('shared?', keyB)).cache).toBe('hit');
    expect(upstreamCalls()).toBe(3);
    await shared.close();
  });
});

describe('response cache: stores', () => {
  it('sqlite: entries outlive the client, and another client on the same file answers from them', async () => {
    const path = join(directory, `cache-${++files}.db`);
    const first = cachedClient({ store: 'sqlite', path }).client;
    await first.generate('hi', { cache: true });
    await first.close();
    const second = cachedClient({ store: 'sqlite', path }).client;
    expect(await second.generate('hi', { cache: true })).toMatchObject({ cache: 'hit', text: 'echo: hi' });
    expect(upstreamCalls()).toBe(1);
    await second.close();
  });

  it('sqlite: the file is <home>/cache.db by default, created only once a call is cacheable', async () => {
    const home = join(directory, `home-${++files}`);
    const { client } = cachedClient({ store: 'sqlite' }, { overrides: { home } });
    await client.generate('not cached');
    expect(existsSync(join(home, 'cache.db'))).toBe(false);
    await client.generate('cached', { cache: true });
    expect(existsSync(join(home, 'cache.db'))).toBe(true);
    await client.close();
  });

  it('a store that fails never fails the call: it goes upstream, with one warning', async () => {
    const { client, logs } = cachedClient({ store: 'redis', redisUrl: 'redis://127.0.0.1:1' });
    expect((await client.generate('hi', { cache: true })).text).toBe('echo: hi');
    expect((await client.generate('hi', { cache: true })).text).toBe('echo: hi');
    expect(upstreamCalls()).toBe(2);
    const warnings = logs().filter((line) => String(line['msg']).startsWith('response cache'));
    expect(warnings.filter((line) => line['level'] === 40)).toHaveLength(1);
    expect(warnings[0]!['msg']).toMatch(/lookup failed; the call goes upstream/);
    await client.close();
  });

  it('a redis store without a URL is a config error at construction', () => {
    expect(() => cachedClient({ store: 'redis' })).toThrow(/cache\.store is "redis" but no Redis URL is set/);
  });

  it.skipIf(!url)('redis: instances sharing Redis share entries', async () => {
    const cache = { store: 'redis', namespace: `test-${randomUUID()}` };
    const first = cachedClient(cache, { env: { LLMKIT_REDIS_URL: url! } }).client;
    const second = cachedClient(cache, { env: { LLMKIT_REDIS_URL: url! } }).client;
    await first.generate('hi', { cache: true });
    expect(await second.generate('hi', { cache: true })).toMatchObject({ cache: 'hit', text: 'echo: hi' });
    expect(await streamedText(second, 'hi', { cache: true })).toMatchObject({ text: 'echo: hi' });
    expect(upstreamCalls()).toBe(1);
    await Promise.all([first.close(), second.close()]);
  });
});
