import type { Command } from 'commander';
import { UsageError } from '../../errors/index.js';
import type { Summary, SummaryRow } from '../../ledger/index.js';
import { formatUsd } from '../../pricing/index.js';
import { groupings, type Period, periods } from '../../usage/usage-period.js';
import { cliClient, closeQuietly, loadCliConfig, reportError } from '../cli-context.js';

interface UsageOptions {
  period?: string;
  since?: string;
  until?: string;
  groupBy: string;
  tz?: string;
  provider?: string;
  model?: string;
  json?: boolean;
  csv?: boolean;
}

export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description('tokens and spend from the usage ledger, grouped, with a totals line')
    .option('--period <period>', `${periods.join(', ')} (default today)`)
    .option('--since <date>', 'start, e.g. 2026-11-01 (midnight in --tz) or 2026-11-01T08:00:00Z')
    .option('--until <date>', 'end, exclusive (default now)')
    .option('-g, --group-by <grouping>', groupings.join(', '), 'model')
    .option('--tz <zone>', 'IANA time zone for days and dates', 'UTC')
    .option('--provider <name>', 'only this provider')
    .option('--model <id>', 'only this model')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV')
    .action(async (options: UsageOptions, command: Command) => {
      process.exitCode = await usage(options, command);
    });
}

async function usage(options: UsageOptions, command: Command): Promise<number> {
  let client: ReturnType<typeof cliClient> | undefined;
  try {
    if (options.period !== undefined && !(periods as readonly string[]).includes(options.period)) {
      throw new UsageError(`unknown period "${options.period}"`, {
        hint: `use ${periods.join(', ')}, or --since/--until`,
      });
    }
    const loaded = loadCliConfig(command);
    if (!loaded.config.ledger.enabled) {
      throw new UsageError('the usage ledger is disabled', {
        hint: 'set ledger.enabled to true (or unset LLMKIT_LEDGER)',
      });
    }
    client = cliClient(command, loaded);
    const summary = await client.usage.summary({
      period: options.period as Period | undefined,
      since: options.since,
      until: options.until,
      timeZone: options.tz,
      groupBy: options.groupBy,
      provider: options.provider,
      model: options.model,
    });
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ ok: true, groupBy: options.groupBy, ...summary }, null, 2)}\n`,
      );
    else if (options.csv) process.stdout.write(csv(summary, options.groupBy));
    else process.stdout.write(table(summary, options.groupBy));
    return 0;
  } catch (error) {
    return reportError(error, options.json);
  } finally {
    await closeQuietly(client);
  }
}

const columns = [
  'calls',
  'errors',
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'reasoningTokens',
] as const;

function cells(row: Omit<SummaryRow, 'group'>): string[] {
  return [
    ...columns.map((column) => String(row[column])),
    formatUsd(row.costNanos),
    String(row.unpricedCalls),
    String(row.estimatedCalls),
    String(row.cacheHits),
  ];
}

function table(summary: Summary, groupBy: string): string {
  const header = [
    groupBy.toUpperCase(),
    'CALLS',
    'ERRORS',
    'INPUT',
    'OUTPUT',
    'CACHED',
    'REASONING',
    'COST',
    'UNPRICED',
    'ESTIMATED',
    'CACHE HITS',
  ];
  const body = summary.rows.map((row) => [row.group, ...cells(row)]);
  const totals = ['TOTAL', ...cells(summary.totals)];
  const all = [header, ...body, totals];
  const widths = header.map((_, index) => Math.max(...all.map((line) => (line[index] ?? '').length)));
  const format = (line: string[]) =>
    line
      .map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!)))
      .join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const lines = [format(header), ...body.map(format), rule, format(totals)];
  if (summary.rows.length === 0) lines.splice(1, 0, '(no calls in this period)');
  return `${lines.join('\n')}\n`;
}

function csv(summary: Summary, groupBy: string): string {
  const quote = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  const header = [groupBy, ...columns, 'costUsd', 'unpricedCalls', 'estimatedCalls', 'cacheHits'];
  const lines = [
    header,
    ...summary.rows.map((row) => [row.group, ...cells(row)]),
    ['TOTAL', ...cells(summary.totals)],
  ];
  return `${lines.map((line) => line.map((cell) => quote(cell.replace(/^\$/, ''))).join(',')).join('\n')}\n`;
}
