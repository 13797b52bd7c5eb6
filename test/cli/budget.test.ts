import { describe, expect, it } from 'vitest';
import { expectOneErrorLine, testCli } from './cli-fixture.js';

describe.concurrent('budgets on the command line', () => {
  it('a hard budget refuses with exit code 4 before sending, and `budget status` shows the spend', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig({
      ...cli.config(),
      prices: { 'fake/fake-model': { input: 0, output: 100 } },
      budgets: [{ name: 'daily', scope: 'global', period: 'day', limitUsd: 0.15 }],
    });
    cli.upstream.setDefault({ usage: { prompt_tokens: 5, completion_tokens: 800 } });
    expect((await cli.run(['run', '--max-tokens', '1000', 'first'])).code).toBe(0);
    const refused = await cli.run(['run', '--max-tokens', '1000', 'second']);
    expect(expectOneErrorLine(refused, 4)).toMatch(
      /^llmkit: BudgetExceededError: budget "daily" \(global, per day\) has no room for this call's worst case of \$0\.100000: \$0\.080000 spent and \$0\.000000 reserved of \$0\.150000/,
    );
    expect(cli.upstream.requests).toHaveLength(1);

    const status = await cli.run(['budget', 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^daily\s+global\s+day\s+hard\s+\$0\.08\s+\$0\.00\s+\$0\.15\s+53\.3%/m);
    const json = JSON.parse((await cli.run(['budget', 'status', '--json'])).stdout);
    expect(json.budgets[0]).toMatchObject({
      name: 'daily',
      spentUsd: 0.08,
      reservedUsd: 0,
      limitUsd: 0.15,
      mode: 'hard',
    });
  });

  it('a bad budget is a one-line config error naming the key, exit 2', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig({ ...cli.config(), budgets: [{ scope: 'global', period: 'day', limitUsd: -1 }] });
    expect(expectOneErrorLine(await cli.run(['budget', 'status']), 2)).toMatch(
      /budgets\.0\.limitUsd must be a number of USD >= 0/,
    );
  });

  it('`budget status` also shows the budgets of gateway keys in force', async (context) => {
    const cli = await testCli(context);
    cli.writeConfig(cli.config());
    expect((await cli.run(['keys', 'create', '--name', 'team-a', '--budget', '5/day'])).code).toBe(0);
    expect((await cli.run(['keys', 'create', '--name', 'no-budget'])).code).toBe(0);
    expect((await cli.run(['keys', 'create', '--name', 'gone', '--budget', '1/month'])).code).toBe(0);
    expect((await cli.run(['keys', 'revoke', 'gone'])).code).toBe(0);
    const status = await cli.run(['budget', 'status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^key:team-a\s+key:team-a\s+day\s+hard\s+\$0\.00\s+\$0\.00\s+\$5\.00/m);
    expect(status.stdout).not.toMatch(/gone|no-budget/);
  });
});
