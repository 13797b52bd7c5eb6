import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  InternalServerError,
  InvalidRequestError,
  NoHealthyTargetError,
  StreamInterruptedError,
} from '../../src/errors/index.js';
import type { CallRecord } from '../../src/pipeline/call-context.js';
import { createFakeUpstream, type FakeUpstream } from '../../src/testing/index.js';
import { clientFor } from '../support/client-for.js';

let a: FakeUpstream;
let b: FakeUpstream;
let c: FakeUpstream;
beforeAll(async () => {
  [a, b, c] = await Promise.all([createFakeUpstream(), createFakeUpstream(), createFakeUpstream()]);
});
afterAll(() => Promise.all([a.close(), b.close(), c.close()]));
beforeEach(() => {
  a.reset();
  b.reset();
  c.reset();
});
const directory = mkdtempSync(join(tmpdir(), 'llmkit-routing-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let ledgers = 0;

interface Setup {
  routes: Record<string, unknown>;
  breaker?: Record<string, unknown>;
  maxRetries?: number;
  overrides?: Record<string, unknown>;
  env?: Record<string, string>;
}

/** A client with providers `a`, `b` and `c`, each served by its own fake upstream. */
function routed(setup: Setup) {
  const records: CallRecord[] = [];
  const made = clientFor(a, {
    overrides: {
      providers: {
        a: { baseURL: a.url, apiKeyRequired: false },
        b: { baseURL: b.url, apiKeyRequired: false },
        c: { baseURL: c.url, apiKeyRequired: false },
      },
      defaultModel: 'fast',
      routes: setup.routes,
      routing: { breaker: setup.breaker ?? {} },
      retry: { maxRetries: setup.maxRetries ?? 0, baseDelayMs: 1, maxDelayMs: 5 },
      ...setup.overrides,
    },
    ...(setup.env ? { env: setup.env } : {}),
    clientOptions: { onCall: (record) => records.push(record) },
  });
  return { ...made, records };
}

const health = (client: ReturnType<typeof routed>['client'], target: string) =>
  client.targets().find((row) => row.target === target);

describe('routes: weighted targets', () => {
  it('spreads calls over the targets by weight', async () => {
    const { client } = routed({
      routes: {
        fast: { targets: [{ model: 'a/fake-model', weight: 3 }, { model: 'b/fake-model' }] },
      },
    });
    const served: string[] = [];
    for (let round = 0; round < 8; round++) {
      const results = await Promise.all(Array.from({ length: 50 }, () => client.generate('hi')));
      served.push(...results.map((result) => result.model));
    }
    const onA = served.filter((model) => model === 'a/fake-model').length;
    // 3:1 of 400 calls is 300 on `a`; the bounds are over five standard deviations away.
    expect(onA).toBeGreaterThan(250);
    expect(onA).toBeLessThan(350);
    expect(a.requests).toHaveLength(onA);
    expect(b.requests).toHaveLength(400 - onA);
  });

  it('routes the default model, an alias of a route, and leaves plain models and aliases alone', async () => {
    const { client } = routed({
      routes: { fast: { targets: [{ model: 'b/fake-model' }] } },
      overrides: { aliases: { chat: 'fast', plain: 'c/fake-model' } },
    });
    expect((await client.generate('hi')).model).toBe('b/fake-model');
    expect((await client.generate('hi', { model: 'chat' })).model).toBe('b/fake-model');
    expect((await client.generate('hi', { model: 'plain' })).model).toBe('c/fake-model');
    expect((await client.generate('hi', { model: 'a/fake-model' })).model).toBe('a/fake-model');
    expect(client.targets().map((row) => [row.target, row.calls])).toEqual([['b/fake-model', 2]]);
  });
});

describe('routes: fallbacks', () => {
  it.each([
    ['a 503', { status: 503 }],
    ['a connection reset', { fault: 'reset-before-headers' as const }],
  ])('after %s (retried first), the fallback serves and the ledger names it', async (_name, failure) => {
    a.setDefault(failure);
    b.setDefault({ text: 'from b', usage: { prompt_tokens: 1000, completion_tokens: 1000 } });
    const { client, records } = routed({
      routes: { fast: { targets: [{ model: 'a/fake-model' }], fallbacks: ['b/fake-model'] } },
      maxRetries: 1,
      overrides: {
        ledger: { enabled: true, path: join(directory, `ledger-${++ledgers}.db`) },
        prices: { 'a/fake-model': { input: 1, output: 1 }, 'b/fake-model': { input: 5, output: 5 } },
      },
    });
    const result = await client.generate('hi');
    expect(result).toMatchObject({ text: 'from b', provider: 'b', model: 'b/fake-model', attempts: 3 });
    expect(result.costNanos).toBe(10_000_000);
    expect(a.requests).toHaveLength(2);
    expect(records[0]?.attempts.map((attempt) => [attempt.provider, attempt.status])).toEqual([
      ['a', 'error'],
      ['a', 'error'],
      ['b', 'ok'],
    ]);
    const summary = await client.usage.summary({ groupBy: 'provider' });
    expect(summary.rows.map((row) => [row.group, row.calls, row.costNanos])).toEqual([['b', 1, 10_000_000]]);
    await client.close();
  });

  it('tries the other targets before the fallbacks, and a fallback route after a provider/model', async () => {
    a.setDefault({ status: 500 });
    b.setDefault({ status: 502 });
    const { client, records } = routed({
      routes: {
        fast: { targets: [{ model: 'a/fake-model' }], fallbacks: ['b/fake-model', 'spare'] },
        spare: { targets: [{ model: 'c/fake-model' }] },
      },
    });
    expect((await client.generate('hi')).model).toBe('c/fake-model');
    expect(records[0]?.attempts.map((attempt) => attempt.provider)).toEqual(['a', 'b', 'c']);
  });

  it('caps retries per target with maxRetriesPerTarget, so a failing target is left at once', async () => {
    a.setDefault({ status: 503 });
    const { client } = routed({
      routes: {
        fast: { targets: [{ model: 'a/fake-model' }], fallbacks: ['b/fake-model'], maxRetriesPerTarget: 0 },
      },
      maxRetries: 2,
    });
    expect(await client.generate('hi')).toMatchObject({ model: 'b/fake-model', attempts: 2 });
    expect(a.requests).toHaveLength(1);
  });

  it('falls back from a stream that hangs until its first-token timeout', async () => {
    a.setDefault({ fault: 'hang-before-headers' });
    b.setDefault({ chunks: ['from ', 'b'] });
    const { client, records } = routed({
      routes: { fast: { targets: [{ model: 'a/fake-model' }], fallbacks: ['b/fake-model'] } },
      overrides: { timeouts: { firstTokenMs: 100 } },
    });
    const stream = client.stream('hi');
    let text = '';
    for await (const part of stream) if (part.type === 'text-delta') text += part.text;
    expect(text).toBe('from b');
    expect((await stream.result).model).toBe('b/fake-model');
    expect(records[0]?.attempts[0]?.error?.code).toBe('timeout');
  });

  it('never falls back once a streamed delta reached the caller', async () => {
    a.setDefault({ chunks: ['Hello', ' world'], fault: 'reset-mid-stream', faultAfterChunks: 1 });
    const { client, records } = routed({
      routes: { fast: { targets: [{ model: 'a/fake-model' }], fallbacks: ['b/fake-model'] } },
    });
    const received: string[] = [];
    const consume = async () => {
      for await (const part of client.stream('hi')) if (part.type === 'text-delta') received.push(part.text);
    };
    await expect(consume()).rejects.toBeInstanceOf(StreamInterruptedError);
    expect(received).toEqual(['Hello']);
    expect(b.requests).toHaveLength(0);
    expect(records[0]).toMatchObject({ provider: 'a', status: 'error' });
  });

  it('does not fall back on a 400', async () => {
    a.setDefault({ status: 400, body: { error: { message: 'bad messages' } } });
    const { client } = routed({
      routes: { fast: { targets: [{ model: 'a/fake-model' }], fallbacks: ['b/fake-model'] } },
    });
    await expect(client.generate('hi')).rejects.toBeInstanceOf(InvalidRequestError);
    expect(b.requests).toHaveLength(0);
    expect(health(client, 'a/fake-model')).toMatchObject({ failures: 0, state: 'closed' });
  });
});

describe('routes: circuit breakers', () => {
  const breaker = { failureThreshold: 2, windowMs: 60_000, cooldownMs: 200 };
  const route = { fast: { targets: [{ model: 'a/fake-model' }], fallbacks: ['b/fake-model'] } };

  it('opens after N failures, sends one probe after the cooldown, and closes on its success', async () => {
    a.setDefault({ status: 503 });
    const { client } = routed({ routes: route, breaker });
    for (let call = 0; call < 4; call++) expect((await client.generate('hi')).model).toBe('b/fake-model');
    expect(a.requests).toHaveLength(2);
    expect(health(client, 'a/fake-model')).toMatchObject({
      state: 'open',
      recentFailures: 2,
      calls: 2,
      failures: 2,
      lastError: { code: 'server_error' },
    });
    expect(health(client, 'a/fake-model')?.openedAt).toEqual(expect.any(String));

    await vi.waitFor(() => expect(health(client, 'a/fake-model')?.state).toBe('half-open'), {
      timeout: 5_000,
      interval: 20,
    });
    // While the probe is in flight, every other call goes elsewhere.
    a.setDefault({ latencyMs: 150, text: 'a is back' });
    const results = await Promise.all(Array.from({ length: 5 }, () => client.generate('hi')));
    expect(a.requests).toHaveLength(3);
    expect(results.filter((result) => result.model === 'a/fake-model')).toHaveLength(1);
    expect(health(client, 'a/fake-model')).toMatchObject({ state: 'closed', openedAt: null });
    expect((await client.generate('hi')).model).toBe('a/fake-model');
  });

  it('re-opens when the probe fails, and the probe is a single attempt', async () => {
    a.setDefault({ status: 503 });
    const { client } = routed({ routes: route, breaker, maxRetries: 2 });
    await client.generate('hi');
    expect(health(client, 'a/fake-model')?.state).toBe('open');
    const sent = a.requests.length;
    await vi.waitFor(() => expect(health(client, 'a/fake-model')?.state).toBe('half-open'), {
      timeout: 5_000,
      interval: 20,
    });
    expect((await client.generate('hi')).model).toBe('b/fake-model');
    expect(a.requests).toHaveLength(sent + 1);
    expect(health(client, 'a/fake-model')?.state).toBe('open');
  });

  it('fails fast with NoHealthyTargetError when every breaker is open', async () => {
    a.setDefault({ status: 503 });
    const { client } = routed({
      routes: { fast: { targets: [{ model: 'a/fake-model' }] } },
      breaker: { failureThreshold: 1, cooldownMs: 60_000 },
    });
    await expect(client.generate('hi')).rejects.toBeInstanceOf(InternalServerError);
    const error = await client.generate('hi').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NoHealthyTargetError);
    expect(error).toMatchObject({ status: 503, code: 'no_healthy_target', retryable: true });
    expect((error as NoHealthyTargetError).message).toContain('/admin/targets');
    expect((error as NoHealthyTargetError).retryAfterMs).toBeGreaterThan(0);
    expect(a.requests).toHaveLength(1);
  });

  it('shows breaker states in client.targets() and the llmkit_circuit_state gauge', async () => {
    a.setDefault({ status: 503 });
    const { client } = routed({
      routes: {
        fast: { targets: [{ model: 'a/fake-model', weight: 2 }], fallbacks: ['b/fake-model'] },
      },
      breaker: { failureThreshold: 1, cooldownMs: 60_000 },
    });
    await client.generate('hi');
    expect(client.targets()).toEqual([
      expect.objectContaining({
        route: 'fast',
        target: 'a/fake-model',
        provider: 'a',
        model: 'fake-model',
        role: 'target',
        weight: 2,
        state: 'open',
        calls: 1,
        failures: 1,
      }),
      expect.objectContaining({
        target: 'b/fake-model',
        role: 'fallback',
        state: 'closed',
        calls: 1,
        failures: 0,
      }),
    ]);
    const text = await client.metrics.registry.metrics();
    expect(text).toContain('llmkit_circuit_state{route="fast",target="a/fake-model"} 2');
    expect(text).toContain('llmkit_circuit_state{route="fast",target="b/fake-model"} 0');
  });
});

describe('routes: per-target keys', () => {
  it('calls a target with the key of its own variable, and never sends it to another host', async () => {
    await using keyed = await createFakeUpstream({ apiKey: 'sk-second' });
    keyed.setDefault({ status: 503 });
    const { client } = routed({
      routes: {
        fast: {
          targets: [{ model: 'k/fake-model', apiKeyEnv: 'SECOND_KEY' }],
          fallbacks: ['b/fake-model'],
        },
      },
      overrides: {
        providers: {
          k: { baseURL: keyed.url, apiKeyEnv: 'K_KEY' },
          b: { baseURL: b.url, apiKeyEnv: 'B_KEY' },
        },
      },
      env: { K_KEY: 'sk-first', SECOND_KEY: 'sk-second', B_KEY: 'sk-b' },
    });
    expect((await client.generate('hi')).model).toBe('b/fake-model');
    expect(keyed.requests[0]?.headers['authorization']).toBe('Bearer sk-second');
    expect(b.requests[0]?.headers['authorization']).toBe('Bearer sk-b');
    keyed.setDefault({});
    expect((await client.generate('hi')).model).toBe('k/fake-model');
  });

  it('reports an unset key variable of a target as a ConfigError naming it', async () => {
    const { client } = routed({
      routes: { fast: { targets: [{ model: 'a/fake-model', apiKeyEnv: 'MISSING_KEY' }] } },
    });
    const error = await client.generate('hi').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('MISSING_KEY');
  });
});
