import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, exitCodes, UsageError } from '../../errors/index.js';
import { type GatewayKey, KeyStore, type NewKey, parseBudget } from '../../gateway/keys/key-store.js';
import { validateNewKey } from '../../gateway/keys/new-key.js';
import { globalOptions, loadCliConfig, parseNumber, reportError } from '../cli-context.js';

interface CreateOptions {
  name: string;
  budget?: string;
  rpm?: number;
  tpm?: number;
  models?: string;
  json?: boolean;
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('gateway keys: create, list and revoke the keys `llmkit serve` accepts');
  keys
    .command('create')
    .description('create a gateway key and print it, once')
    .requiredOption('--name <name>', 'names the key in budgets (key:<name>), the ledger and logs')
    .option('--budget <usd/period>', 'spending limit, e.g. 10/day; periods: hour, day, week, month, total')
    .option('--rpm <n>', 'requests per minute', parseNumber('--rpm', true, 1))
    .option('--tpm <n>', 'tokens per minute', parseNumber('--tpm', true, 1))
    .option('--models <list>', 'comma-separated models the key may call (default: every model)')
    .option('--json', 'print JSON')
    .action((options: CreateOptions, command: Command) => {
      process.exitCode = run(command, options.json, (open) => create(open, options, command));
    });
  keys
    .command('list')
    .description('every key with its limits; never a secret')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }, command: Command) => {
      process.exitCode = run(command, options.json, (open) => {
        const listed = open(false)?.list() ?? [];
        process.stdout.write(
          options.json ? `${JSON.stringify({ ok: true, keys: listed }, null, 2)}\n` : table(listed),
        );
      });
    });
  keys
    .command('revoke')
    .description('revoke a key by name or id; gateways refuse it from their next request')
    .argument('<name-or-id>', "the key's name or id (see `llmkit keys list`)")
    .option('--json', 'print JSON')
    .action((nameOrId: string, options: { json?: boolean }, command: Command) => {
      process.exitCode = run(command, options.json, (open) => {
        const store = open(false);
        const revoked = store?.revoke(nameOrId) ?? notRevoked(nameOrId, store);
        process.stdout.write(
          options.json
            ? `${JSON.stringify({ ok: true, key: revoked }, null, 2)}\n`
            : `revoked key ${revoked.name} (${revoked.id})\n`,
        );
      });
    });
}

/** Opens the key file on demand; undefined when it does not exist and `create` is false. */
type OpenStore = (create: boolean) => KeyStore | undefined;

/** Runs the work with the key file at gateway.keysPath, closes it, and returns the exit code. */
function run(command: Command, json: boolean | undefined, work: (open: OpenStore) => void): number {
  let store: KeyStore | undefined;
  try {
    const { keysPath } = loadCliConfig(command).config.gateway;
    if (keysPath === undefined) throw new ConfigError('gateway.keysPath is not set');
    // Listing or revoking in a file that does not exist yet: nothing there, no reason to create it.
    work((create) => {
      if (create || existsSync(keysPath)) store ??= KeyStore.open(keysPath);
      return store;
    });
    return exitCodes.ok;
  } catch (error) {
    return reportError(error, json);
  } finally {
    store?.close();
  }
}

function create(open: OpenStore, options: CreateOptions, command: Command): void {
  const input: NewKey = { name: options.name };
  if (options.budget !== undefined) input.budget = parseBudget(options.budget);
  if (options.rpm !== undefined) input.rpm = options.rpm;
  if (options.tpm !== undefined) input.tpm = options.tpm;
  if (options.models !== undefined) input.models = parseModels(options.models);
  // Checked before the file is opened, so a mistake leaves no file behind.
  validateNewKey(input);
  const store = open(true);
  if (store === undefined) throw new Error('the key file was not opened');
  const { key, record } = store.create(input);
  process.stdout.write(
    options.json ? `${JSON.stringify({ ok: true, key, ...record }, null, 2)}\n` : `${key}\n`,
  );
  if (!globalOptions(command).quiet) {
    process.stderr.write(
      `llmkit: note: this is the only time key "${record.name}" is shown; llmkit keeps only its hash, so store it now\n`,
    );
  }
}

function parseModels(text: string): string[] {
  const models = text.split(',').map((model) => model.trim());
  if (models.every((model) => model === '')) {
    throw new UsageError('--models is empty', {
      hint: 'give model ids separated by commas, e.g. --models openai/gpt-4o,deepseek/deepseek-chat, or leave --models out to allow every model',
    });
  }
  if (models.includes('')) {
    throw new UsageError(`--models "${text}" has an empty entry`, {
      hint: 'separate model ids with single commas, e.g. openai/gpt-4o,deepseek/deepseek-chat',
    });
  }
  return models;
}

/** Why nothing was revoked: a key revoked before, or no such key. */
function notRevoked(nameOrId: string, store: KeyStore | undefined): never {
  const known = store?.list().filter((key) => key.id === nameOrId || key.name === nameOrId) ?? [];
  if (known.length > 0) {
    const last = known[known.length - 1];
    throw new UsageError(`key "${nameOrId}" is already revoked (since ${last?.revokedAt})`, {
      hint: 'nothing to do; `llmkit keys list` shows every key',
    });
  }
  throw new UsageError(`no gateway key has the name or id "${nameOrId}"`, {
    hint: '`llmkit keys list` shows every key with its name and id',
  });
}

function table(keys: readonly GatewayKey[]): string {
  if (keys.length === 0) return 'no gateway keys (create one with `llmkit keys create --name <name>`)\n';
  const header = ['ID', 'NAME', 'RPM', 'TPM', 'BUDGET', 'MODELS', 'CREATED', 'REVOKED'];
  const rows = keys.map((key) => [
    key.id,
    key.name,
    key.rpm === undefined ? '—' : String(key.rpm),
    key.tpm === undefined ? '—' : String(key.tpm),
    key.budget === undefined ? '—' : `$${key.budget.limitUsd}/${key.budget.period}`,
    key.models?.join(',') ?? 'all',
    key.createdAt,
    key.revokedAt ?? '—',
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, index) => Math.max(...all.map((line) => (line[index] ?? '').length)));
  return `${all
    .map((line) =>
      line
        .map((cell, index) => cell.padEnd(widths[index] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
