import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, exitCodes } from '../../src/errors/index.js';
import { clientFor } from '../support/client-for.js';
import { useFakeUpstream } from '../support/use-fake-upstream.js';

const fixture = useFakeUpstream();
const directory = mkdtempSync(join(tmpdir(), 'llmkit-budget-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let stores = 0;

/** Output costs $100 per 1M tokens and input nothing: 1,000 output tokens are exactly $0.10. */
function budgeted(budgets: unknown[], overrides: Record<string, unknown> = {}) {
  return clientFor(fixture.current, {
    overrides: {
      prices: { 'fake/fake-model': { input: 0, output: 100 } },
      budgets,
      budgetSettings: { path: join(directory, `budgets-${++stores}.db`) },
      ledger: { enabled: true, path: join(directory, `ledger-${stores}.db`) },
      ...overrides,
    },
  });
}

describe('hard budgets', () => {
  it('refuse a call whose worst case does not fit, before sending and without a ledger row', async () => {
    const { client } = budgeted([{ name: 'tiny', scope: 'global', period: 'day', limitUsd: 0.05 }]);
    const error = await client.generate('hi', { maxTokens: 1_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as BudgetExceededError).exitCode).toBe(exitCodes.refused);
    expect((error as Error).message).toMatch(
      /budget "tiny" \(global, per day\) has no room for this call.s worst case of \$0\.100000: \$0\.000000 spent and \$0\.000000 reserved of \$0\.050000/,
    );
    expect(fixture.current.requests).toHaveLength(0);
    expect((await client.usage.summary()).totals.calls).toBe(0);
    await client.close();
  });

  it('settle to the actual cost and release the rest', async () => {
    const { client } = budgeted([
      { name: 'daily', scope: 'model:fake/fake-model', period: 'day', limitUsd: 1 },
    ]);
    fixture.current.enqueue(
      { usage: { prompt_tokens: 10, completion_tokens: 300 } },
      { status: 500 },
      { status: 500 },
      { status: 500 },
    );
    await client.generate('one', { maxTokens: 1_000 });
    await expect(client.generate('two', { maxTokens: 1_000 })).rejects.toMatchObject({ status: 500 });
    await client.close();
    const [row] = await (await reopen(client)).status();
    expect(row).toMatchObject({ name: 'daily', spentUsd: 0.03, reservedUsd: 0, limitUsd: 1, percent: 3 });
  });

  it('bound a call with no max_tokens by enforcing the assumed output', async () => {
    const { client } = budgeted([{ scope: 'global', period: 'day', limitUsd: 10 }], {
      budgetSettings: { path: join(directory, 'assumed.db'), defaultMaxOutputTokens: 256 },
    });
    await client.generate('hi');
    expect(fixture.current.requests[0]!.body).toMatchObject({ max_tokens: 256 });
    await client.close();
  });

  it('clamp lowers max_tokens to what still fits instead of refusing', async () => {
    const { client } = budgeted([{ scope: 'global', period: 'day', limitUsd: 0.05, onExceed: 'clamp' }]);
    await client.generate('hi', { maxTokens: 1_000 });
    expect(fixture.current.requests[0]!.body).toMatchObject({ max_tokens: 500 });
    await client.close();
  });

  it('refuse an unpriced model: a dollar limit cannot bound an unknown cost', async () => {
    const { client } = budgeted([{ scope: 'global', period: 'day', limitUsd: 5 }]);
    const error = await client.generate('hi', { model: 'fake/mystery' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as Error).message).toContain('fake/mystery has no known price');
    expect(fixture.current.requests).toHaveLength(0);
    await client.close();
  });

  it('only apply to calls in scope', async () => {
    const { client } = budgeted([{ scope: 'tag:nightly', period: 'day', limitUsd: 0 }]);
    await expect(client.generate('hi', { maxTokens: 10 })).resolves.toBeDefined();
    await expect(client.generate('hi', { maxTokens: 10, tags: ['nightly'] })).rejects.toBeInstanceOf(
      BudgetExceededError,
    );
    await client.close();
  });

  it('hold under 1,000 concurrent calls: committed spend never passes the limit', async () => {
    const { client } = budgeted([{ name: 'cap', scope: 'global', period: 'day', limitUsd: 20 }]);
    // Each call may cost $0.10 and really costs $0.05 to $0.10.
    fixture.current.setDefault(() => ({
      usage: { prompt_tokens: 5, completion_tokens: 500 + Math.floor(Math.random() * 501) },
    }));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 1_000 }, () => client.generate('spend', { maxTokens: 1_000 })),
    );
    const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    const refused = outcomes.filter(
      (outcome) => outcome.status === 'rejected' && outcome.reason instanceof BudgetExceededError,
    ).length;
    expect(accepted + refused).toBe(1_000);
    await client.close();
    const [row] = await (await reopen(client)).status();
    expect(row!.reservedUsd).toBe(0);
    expect(row!.spentUsd).toBeLessThanOrEqual(20);
    expect(accepted).toBeGreaterThanOrEqual(200); // at $0.10 worst case, at least 200 fit
    expect(fixture.current.requests).toHaveLength(accepted);
  });
});

describe('soft budgets', () => {
  it('let calls through past the limit and alert once per threshold', async () => {
    const { client, logs } = budgeted([
      { name: 'soft', scope: 'global', period: 'day', limitUsd: 0.1, mode: 'soft', thresholds: [50, 100] },
    ]);
    fixture.current.setDefault({ usage: { prompt_tokens: 1, completion_tokens: 400 } }); // $0.04 each
    for (let call = 0; call < 5; call++) await client.generate('hi', { maxTokens: 1_000 });
    await client.close();
    const [row] = await (await reopen(client)).status();
    expect(row).toMatchObject({ spentUsd: 0.2, percent: 200 });
    const alerts = logs().filter((line) => line['event'] === 'alert');
    expect(alerts.map((line) => line['threshold'])).toEqual([50, 100]);
  });
});

/** A fresh Budgets over the same file, as another process (or `llmkit budget status`) sees it. */
async function reopen(client: { config: import('../../src/config/load-config.js').LoadedConfig }) {
  const { LLMClient } = await import('../../src/client/llm-client.js');
  const { createLogger } = await import('../../src/logging/logger.js');
  const fresh = new LLMClient({
    config: client.config,
    logger: createLogger({ level: 'silent', stderrLevel: 'silent' }),
  });
  return {
    status: async () => {
      const rows = await fresh.budgets!.status();
      await fresh.close();
      return rows;
    },
  };
}
