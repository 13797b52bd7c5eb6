import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../../src/errors/index.js';
import type { KeyPolicy } from '../../src/pipeline/call-context.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();
const directory = mkdtempSync(join(tmpdir(), 'llmkit-key-budget-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

/** Output costs $100 per 1M tokens and input nothing: 1,000 output tokens are exactly $0.10. No config budgets. */
function priced(overrides: Record<string, unknown> = {}) {
  const path = join(directory, `budgets-${++files}.db`);
  const made = clientFor(fixture.current, {
    overrides: {
      prices: { 'fake/fake-model': { input: 0, output: 100 } },
      budgetSettings: { path },
      ...overrides,
    },
  });
  return { ...made, path };
}

const teamA: KeyPolicy = { name: 'team-a', budget: { limitUsd: 0.25, period: 'day' } };

describe('a key budget', () => {
  it('refuses the call that would pass the limit, with no budgets in the config', async () => {
    const { client } = priced();
    fixture.current.setDefault({ usage: { prompt_tokens: 1, completion_tokens: 1_000 } });
    await client.generate('one', { key: teamA, maxTokens: 1_000 });
    await client.generate('two', { key: teamA, maxTokens: 1_000 });
    const error = await client
      .generate('three', { key: teamA, maxTokens: 1_000 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as Error).message).toMatch(
      /^budget "key:team-a" \(key:team-a, per day\) has no room for this call.s worst case of \$0\.100000: \$0\.200000 spent and \$0\.000000 reserved of \$0\.250000/,
    );
    expect(fixture.current.requests).toHaveLength(2);
    // Another key is not held back by team-a's spend.
    await expect(
      client.generate('four', {
        key: { name: 'team-b', budget: { limitUsd: 1, period: 'day' } },
        maxTokens: 1_000,
      }),
    ).resolves.toBeDefined();
    await client.close();
  });

  it('holds across clients sharing the budget store, as configured budgets do', async () => {
    const first = priced();
    fixture.current.setDefault({ usage: { prompt_tokens: 1, completion_tokens: 1_000 } });
    const second = clientFor(fixture.current, { overrides: first.client.config.config });
    await first.client.generate('one', { key: teamA, maxTokens: 1_000 });
    await first.client.generate('two', { key: teamA, maxTokens: 1_000 });
    await first.client.close();
    await expect(second.client.generate('three', { key: teamA, maxTokens: 1_000 })).rejects.toBeInstanceOf(
      BudgetExceededError,
    );
    await second.client.close();
  });

  it('shows in budget status, from this client and from another given the keys', async () => {
    const { client } = priced();
    fixture.current.setDefault({ usage: { prompt_tokens: 1, completion_tokens: 500 } });
    await client.generate('hi', { key: teamA, maxTokens: 1_000 });
    // This client lists the key budgets its calls carried (its settle may still be under way).
    expect(await client.budgets.status()).toEqual([
      expect.objectContaining({ name: 'key:team-a', limitUsd: 0.25, period: 'day' }),
    ]);
    await client.close();
    const row = {
      name: 'key:team-a',
      scope: 'key:team-a',
      period: 'day',
      mode: 'hard',
      spentUsd: 0.05,
      reservedUsd: 0,
      limitUsd: 0.25,
      percent: 20,
    };
    const other = clientFor(fixture.current, { overrides: client.config.config }).client;
    expect(await other.budgets.status()).toEqual([]);
    expect(await other.budgets.status(Date.now(), [teamA])).toEqual([expect.objectContaining(row)]);
    await other.close();
  });

  it('alerts at its thresholds like a configured budget', async () => {
    const { client, logs } = priced();
    fixture.current.setDefault({ usage: { prompt_tokens: 1, completion_tokens: 1_500 } });
    await client.generate('hi', { key: teamA, maxTokens: 2_000 });
    await client.close();
    const alerts = logs().filter((line) => line['event'] === 'alert');
    expect(alerts.map((line) => [line['budget'], line['threshold']])).toEqual([['key:team-a', 50]]);
  });

  it('opens no budget store for clients whose calls carry none', async () => {
    const plain = priced();
    await plain.client.generate('hi', { key: { name: 'no-budget', rpm: 100 } });
    await plain.client.close();
    expect(existsSync(plain.path)).toBe(false);
    const keyed = priced();
    await keyed.client.generate('hi', { key: teamA, maxTokens: 10 });
    await keyed.client.close();
    expect(existsSync(keyed.path)).toBe(true);
  });
});
