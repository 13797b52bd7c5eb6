import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, exitCodes, RateLimitedError } from '../../src/errors/index.js';
import type { KeyPolicy } from '../../src/pipeline/call-context.js';
import { clientFor } from '../support/client-for.js';
import { redisUrl } from '../support/services.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();
const redis = await redisUrl();
const directory = mkdtempSync(join(tmpdir(), 'llmkit-rate-limit-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Settles every promise; the fulfilled count and the rejections. */
async function outcomes(calls: Array<Promise<unknown>>) {
  const settled = await Promise.allSettled(calls);
  const reasons = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
  return { admitted: settled.length - reasons.length, reasons };
}

const uniqueKey = (rpm?: number, tpm?: number): KeyPolicy => ({
  name: `team-${Math.random().toString(36).slice(2, 8)}`,
  ...(rpm === undefined ? {} : { rpm }),
  ...(tpm === undefined ? {} : { tpm }),
});

describe("a key's requests per minute", () => {
  it('admit exactly rpm of many concurrent calls, and refuse the rest before sending', async () => {
    const { client } = clientFor(fixture.current);
    const key = uniqueKey(10);
    const { admitted, reasons } = await outcomes(
      Array.from({ length: 40 }, () => client.generate('hi', { key })),
    );
    expect(admitted).toBe(10);
    expect(reasons.every((reason) => reason instanceof RateLimitedError)).toBe(true);
    expect(fixture.current.requests).toHaveLength(10);
    await client.close();
  });

  it('refuse with a one-line 429 naming the limit and when to come back', async () => {
    const { client } = clientFor(fixture.current);
    const key: KeyPolicy = { name: 'team-a', rpm: 1 };
    await client.generate('hi', { key });
    const error = (await client
      .generate('hi', { key })
      .catch((caught: unknown) => caught)) as RateLimitedError;
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({
      code: 'rate_limited',
      status: 429,
      exitCode: exitCodes.refused,
      limit: 'key:team-a/rpm',
    });
    expect(error.message).toMatch(
      /^key "team-a" is over its 1 requests per minute; retry in (\d+) s \(.+\)$/,
    );
    expect(error.message).not.toContain('\n');
    const seconds = Number(/retry in (\d+) s/.exec(error.message)![1]);
    expect(error.retryAfterMs).toBeGreaterThan(58_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(61_000);
    expect(seconds).toBe(Math.ceil(error.retryAfterMs! / 1000));
    await client.close();
  });

  it('count refusals in llmkit_rate_limited_total by limit', async () => {
    const { client } = clientFor(fixture.current);
    const key: KeyPolicy = { name: 'metered', rpm: 1 };
    await outcomes(Array.from({ length: 4 }, () => client.generate('hi', { key })));
    expect(await client.metrics.registry.getSingleMetricAsString('llmkit_rate_limited_total')).toContain(
      'llmkit_rate_limited_total{limit="key:metered/rpm"} 3',
    );
    await client.close();
  });
});

describe("a key's tokens per minute", () => {
  it('count input plus max_tokens at admission, then what the call really used', async () => {
    const { client } = clientFor(fixture.current);
    const key = uniqueKey(undefined, 1_000);
    fixture.current.setDefault({ usage: { prompt_tokens: 5, completion_tokens: 45 } });
    // Each call may use ~300 tokens and uses 50: only the corrected counts let ten through.
    for (let call = 0; call < 10; call++) await client.generate('hi', { key, maxTokens: 290 });
    expect(fixture.current.requests).toHaveLength(10);
    // 500 used; a call that may use 600 more does not fit.
    const error = await client.generate('hi', { key, maxTokens: 600 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as Error).message).toMatch(
      /is over its 1000 tokens per minute \(this call needs about 60\d tokens\)/,
    );
    expect(fixture.current.requests).toHaveLength(10);
    await client.close();
  });

  it('refuse a call that could never fit, without a retry time', async () => {
    const { client } = clientFor(fixture.current);
    const error = (await client
      .generate('hi', { key: { name: 'small', tpm: 100 }, maxTokens: 500 })
      .catch((caught: unknown) => caught)) as RateLimitedError;
    expect(error.message).toMatch(
      /^key "small" allows 100 tokens per minute and this call alone counts 5\d\d tokens/,
    );
    expect(error.retryAfterMs).toBeUndefined();
    expect(fixture.current.requests).toHaveLength(0);
    await client.close();
  });
});

describe('a refused call', () => {
  it('releases its budget reservation and leaves no ledger row', async () => {
    const { client } = clientFor(fixture.current, {
      overrides: {
        prices: { 'fake/fake-model': { input: 0, output: 100 } },
        budgets: [{ name: 'daily', scope: 'global', period: 'day', limitUsd: 10 }],
        budgetSettings: { path: join(directory, 'refused-budgets.db') },
        ledger: { enabled: true, path: join(directory, 'refused-ledger.db') },
      },
    });
    fixture.current.setDefault({ usage: { prompt_tokens: 1, completion_tokens: 100 } });
    const key: KeyPolicy = { name: 'one-a-minute', rpm: 1 };
    await client.generate('hi', { key, maxTokens: 1_000 });
    await expect(client.generate('hi', { key, maxTokens: 1_000 })).rejects.toBeInstanceOf(RateLimitedError);
    await client.close();
    // Another client on the same files, as `llmkit budget status` and `llmkit usage` see them.
    const fresh = clientFor(fixture.current, { overrides: client.config.config }).client;
    expect((await fresh.usage.summary()).totals.calls).toBe(1);
    const [row] = await fresh.budgets.status();
    expect(row).toMatchObject({ name: 'daily', spentUsd: 0.01, reservedUsd: 0 });
    await fresh.close();
  });

  it('by a budget (the step before) does not use up the rate limit', async () => {
    const { client } = clientFor(fixture.current, {
      overrides: {
        prices: { 'fake/fake-model': { input: 0, output: 100 } },
        budgets: [{ scope: 'tag:broke', period: 'day', limitUsd: 0 }],
        budgetSettings: { path: join(directory, 'order-budgets.db') },
      },
    });
    const key: KeyPolicy = { name: 'both', rpm: 1 };
    await expect(client.generate('hi', { key, tags: ['broke'], maxTokens: 10 })).rejects.toBeInstanceOf(
      BudgetExceededError,
    );
    await expect(client.generate('hi', { key, maxTokens: 10 })).resolves.toBeDefined();
    await client.close();
  });
});

describe('rateLimits.rules', () => {
  it('apply to the calls in their scope only, each rule on its own counter', async () => {
    const { client } = clientFor(fixture.current, {
      overrides: {
        rateLimits: {
          rules: [
            { scope: 'tag:nightly', rpm: 2 },
            { name: 'other-model', scope: 'model:fake/other', rpm: 1 },
          ],
        },
      },
    });
    const plain = await outcomes(Array.from({ length: 5 }, () => client.generate('hi')));
    expect(plain.admitted).toBe(5);
    const nightly = await outcomes(
      Array.from({ length: 5 }, () => client.generate('hi', { tags: ['nightly'] })),
    );
    expect(nightly.admitted).toBe(2);
    expect((nightly.reasons[0] as Error).message).toMatch(
      /^rate limit "tag:nightly" is over its 2 requests per minute/,
    );
    const other = await outcomes(
      Array.from({ length: 3 }, () => client.generate('hi', { model: 'fake/other' })),
    );
    expect(other.admitted).toBe(1);
    expect((other.reasons[0] as Error).message).toMatch(
      /^rate limit "other-model" \(model:fake\/other\) is over its 1 requests per minute/,
    );
    expect(fixture.current.requests).toHaveLength(8);
    await client.close();
  });

  it('apply on top of a key limit: the tighter one refuses', async () => {
    const { client } = clientFor(fixture.current, {
      overrides: { rateLimits: { rules: [{ scope: 'global', rpm: 3 }] } },
    });
    const { admitted, reasons } = await outcomes(
      Array.from({ length: 6 }, () => client.generate('hi', { key: uniqueKey(5) })),
    );
    expect(admitted).toBe(3);
    expect((reasons[0] as RateLimitedError).limit).toBe('global/rpm');
    await client.close();
  });
});

describe('rateLimits.store: redis', () => {
  it.skipIf(!redis)('shares one key limit between two clients: exactly rpm admitted in all', async () => {
    const overrides = { rateLimits: { store: 'redis', redisUrl: redis } };
    const [one, two] = [clientFor(fixture.current, { overrides }), clientFor(fixture.current, { overrides })];
    const key = uniqueKey(10);
    const { admitted } = await outcomes(
      Array.from({ length: 30 }, (_, index) => (index % 2 ? one : two).client.generate('hi', { key })),
    );
    expect(admitted).toBe(10);
    expect(fixture.current.requests).toHaveLength(10);
    await Promise.all([one.client.close(), two.client.close()]);
  });

  it('lets calls through unlimited when Redis is unreachable (failMode: open), with a warning', async () => {
    const { client, logs } = clientFor(fixture.current, {
      overrides: { rateLimits: { store: 'redis', redisUrl: 'redis://127.0.0.1:1' } },
    });
    const key: KeyPolicy = { name: 'unchecked', rpm: 1 };
    await client.generate('hi', { key });
    await client.generate('hi', { key });
    expect(fixture.current.requests).toHaveLength(2);
    expect(
      logs().filter((line) => String(line['msg']).startsWith('rate limit store unreachable')),
    ).toHaveLength(1);
    await client.close();
  });

  it('refuses calls under a limit when Redis is unreachable and failMode is closed', async () => {
    const { client } = clientFor(fixture.current, {
      overrides: { rateLimits: { store: 'redis', redisUrl: 'redis://127.0.0.1:1', failMode: 'closed' } },
    });
    const error = await client
      .generate('hi', { key: { name: 'strict', rpm: 100 } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as Error).message).toMatch(/^key "strict": its rate limit cannot be checked/);
    await expect(client.generate('hi')).resolves.toBeDefined();
    expect(fixture.current.requests).toHaveLength(1);
    await client.close();
  });
});
