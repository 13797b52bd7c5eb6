import type { Command } from 'commander';
import { resolveModel } from '../../config/resolve-model.js';
import { UsageError } from '../../errors/index.js';
import type { ComponentPrices, ModelLimits, PriceInfo, PriceTier } from '../../pricing/index.js';
import {
  defaultPriceDataURL,
  formatUsd,
  PriceBook,
  updatePriceSnapshot,
  usdToNanos,
} from '../../pricing/index.js';
import { loadCliConfig, parseNumber, reportError } from '../cli-context.js';

interface ShowOptions {
  json?: boolean;
}

interface UpdateOptions {
  url: string;
  timeout?: number;
  json?: boolean;
}

export function registerPrices(program: Command): void {
  const prices = program.command('prices').description('show what models cost, or download newer price data');
  prices
    .command('show')
    .description('print the prices per 1M tokens, context window and price source of models')
    .argument('<model...>', 'provider/model or alias, one or more')
    .option('--json', 'print one JSON object')
    .action((models: string[], options: ShowOptions, command: Command) => {
      process.exitCode = show(models, options, command);
    });
  prices
    .command('update')
    .description(
      'download the latest genai-prices data to <home>/prices.json (the only command that fetches prices)',
    )
    .option('--url <url>', 'where to download the data from', defaultPriceDataURL)
    .option('--timeout <ms>', 'give up after this many ms', parseNumber('--timeout', true, 1))
    .option('--json', 'print one JSON object')
    .action(async (options: UpdateOptions, command: Command) => {
      process.exitCode = await update(options, command);
    });
}

const labels: Record<keyof ComponentPrices, string> = {
  input: 'input',
  cachedInput: 'cached input',
  cacheWrite: 'cache write',
  output: 'output',
  reasoning: 'reasoning',
  perThousandRequests: 'per 1K requests',
};

const perMillion = (usd: number) => `${formatUsd(usdToNanos(usd))} / 1M tokens`;
const tokens = (count: number) => `${count.toLocaleString('en-US')} tokens`;

function describePrice(info: PriceInfo, limits: ModelLimits): string[] {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${`${label}  `.padEnd(18)}${value}`);
  for (const key of Object.keys(labels) as Array<keyof ComponentPrices>) {
    const value = info.price[key];
    if (value === undefined) continue;
    row(labels[key], key === 'perThousandRequests' ? formatUsd(usdToNanos(value)) : perMillion(value));
  }
  for (const tier of info.price.tiers ?? []) row('long prompts', describeTier(tier));
  if (limits.contextWindow !== undefined) row('context window', tokens(limits.contextWindow));
  if (limits.maxOutputTokens !== undefined) row('max output', tokens(limits.maxOutputTokens));
  if (info.reference) {
    row('figures from', `${info.reference.url} (read ${info.reference.checked})`);
    if (info.reference.note) row('note', info.reference.note);
  }
  return lines;
}

function describeTier({ aboveInputTokens, ...listed }: PriceTier): string {
  const prices = (Object.keys(labels) as Array<keyof ComponentPrices>)
    .filter((key) => listed[key] !== undefined)
    .map((key) => `${labels[key]} ${formatUsd(usdToNanos(listed[key]!))}`)
    .join(', ');
  return `above ${tokens(aboveInputTokens)} of input: ${prices} per 1M tokens`;
}

function show(names: string[], options: ShowOptions, command: Command): number {
  try {
    const { config } = loadCliConfig(command);
    const book = new PriceBook(config);
    const results = names.map((name) => {
      const { provider, model } = resolveModel(name, config);
      return {
        name: `${provider}/${model}`,
        provider,
        model,
        info: book.lookup(provider, model),
        limits: book.limits(provider, model),
      };
    });
    if (options.json) {
      const models = results.map(({ name, provider, model, info, limits }) => ({
        model: name,
        provider,
        id: model,
        known: info !== undefined,
        ...(info ? { source: info.source, price: info.price } : {}),
        ...limits,
        ...(info?.reference ? { reference: info.reference } : {}),
      }));
      process.stdout.write(`${JSON.stringify({ ok: true, models })}\n`);
      return 0;
    }
    const blocks = results.map(({ name, info, limits }) =>
      info === undefined
        ? `${name}  no known price: its calls cost null (unknown), not $0; add it under "prices" in the config`
        : [`${name}  (${info.source})`, ...describePrice(info, limits)].join('\n'),
    );
    process.stdout.write(`${blocks.join('\n\n')}\n`);
    return 0;
  } catch (error) {
    return reportError(error, options.json);
  }
}

async function update(options: UpdateOptions, command: Command): Promise<number> {
  try {
    if (!/^https?:\/\//i.test(options.url) || !URL.canParse(options.url))
      throw new UsageError(`--url must be an http(s) URL, got "${options.url}"`);
    const { config, env } = loadCliConfig(command);
    const updated = await updatePriceSnapshot({
      home: config.home,
      url: options.url,
      env,
      ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
    });
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ ok: true, ...updated })}\n`
        : `wrote prices of ${updated.models} models from ${updated.providers} providers to ${updated.path}\n`,
    );
    return 0;
  } catch (error) {
    return reportError(error, options.json);
  }
}
