import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { BudgetStatusRow } from '../../budget/budgets.js';
import type { LoadedConfig } from '../../config/load-config.js';
import { KeyStore, policyOf } from '../../gateway/keys/key-store.js';
import type { KeyPolicy } from '../../pipeline/call-context.js';
import { cliClient, closeQuietly, loadCliConfig, reportError } from '../cli-context.js';

export function registerBudget(program: Command): void {
  const budget = program.command('budget').description('inspect budgets');
  budget
    .command('status')
    .description("each budget's spent, reserved, limit, percentage and next reset")
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      let client: ReturnType<typeof cliClient> | undefined;
      try {
        const loaded = loadCliConfig(command);
        client = cliClient(command, loaded);
        const rows = await client.budgets.status(Date.now(), keyBudgets(loaded));
        if (options.json) process.stdout.write(`${JSON.stringify({ ok: true, budgets: rows }, null, 2)}\n`);
        else
          process.stdout.write(
            rows.length === 0 ? 'no budgets configured (see "budgets" in docs/budgets.md)\n' : table(rows),
          );
        process.exitCode = 0;
      } catch (error) {
        process.exitCode = reportError(error, options.json);
      } finally {
        await closeQuietly(client);
      }
    });
}

/** The budgets of gateway keys in force (`llmkit keys create --budget`), when a key file exists. */
function keyBudgets(loaded: LoadedConfig): KeyPolicy[] {
  const path = loaded.config.gateway.keysPath;
  if (path === undefined || !existsSync(path)) return [];
  const keys = KeyStore.open(path);
  try {
    return keys
      .list()
      .filter((key) => key.revokedAt === undefined && key.budget !== undefined)
      .map(policyOf);
  } finally {
    keys.close();
  }
}

const money = (usd: number | null) =>
  usd === null ? '—' : `$${usd.toFixed(usd !== 0 && usd < 0.01 ? 6 : 2)}`;

function table(rows: BudgetStatusRow[]): string {
  const header = [
    'BUDGET',
    'SCOPE',
    'PERIOD',
    'MODE',
    'SPENT',
    'RESERVED',
    'LIMIT',
    'USED',
    'TOKENS',
    'RESETS',
  ];
  const lines = rows.map((row) => [
    row.name,
    row.scope,
    row.period,
    row.mode,
    money(row.spentUsd),
    money(row.reservedUsd),
    money(row.limitUsd),
    row.percent === null ? '—' : `${row.percent.toFixed(1)}%`,
    row.limitTokens === null ? String(row.spentTokens) : `${row.spentTokens}/${row.limitTokens}`,
    row.resetsAt ?? 'never',
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, index) => Math.max(...all.map((line) => (line[index] ?? '').length)));
  return `${all
    .map((line) =>
      line
        .map((cell, index) => cell.padEnd(widths[index]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
