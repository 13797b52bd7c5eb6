import { existsSync, readFileSync, statSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import {
  BatchInputError,
  type BatchInputItem,
  checkDuplicateIds,
  formatFromPath,
  type InputFormat,
  parseBatchInput,
} from '../../batch/batch-input.js';
import { compactJournal, type Journal, openJournal } from '../../batch/batch-journal.js';
import type { BatchItem, BatchProgress, BatchResult } from '../../batch/types.js';
import { exitCodes, UsageError } from '../../errors/index.js';
import { formatUsd } from '../../pricing/index.js';
import type { JsonSchema } from '../../structured/object-schema.js';
import { cliClient, closeQuietly, loadCliConfig, parseNumber, reportError } from '../cli-context.js';
import { readSchemaFile } from './run.js';

interface BatchCliOptions {
  output?: string;
  concurrency: number;
  rpm?: number;
  tpm?: number;
  model?: string;
  system?: string;
  schema?: string;
  maxRetries: number;
  maxTokens?: number;
  resume?: boolean;
  retryFailed?: boolean;
  strict?: boolean;
  force?: boolean;
  format?: InputFormat;
  progressInterval: number;
}

// JSONL fields an item may carry besides id, prompt and messages, with the wire spellings users paste.
const itemFields: Record<string, keyof BatchItem> = {
  model: 'model',
  system: 'system',
  temperature: 'temperature',
  topP: 'topP',
  top_p: 'topP',
  maxTokens: 'maxTokens',
  max_tokens: 'maxTokens',
  stop: 'stop',
  seed: 'seed',
  tags: 'tags',
  project: 'project',
  user: 'user',
  schema: 'schema',
};

export function registerBatch(program: Command): void {
  program
    .command('batch')
    .description('run every prompt of a file, resumably: results are appended to OUTPUT as they finish')
    .argument(
      '<input>',
      'JSONL ({ id?, prompt | messages, model?, ... } per line), CSV with a prompt column, or text (one prompt per line)',
    )
    .requiredOption(
      '-o, --output <file>',
      'JSONL results, one line per item; also the journal a rerun resumes from',
    )
    .option(
      '--concurrency <n>',
      'items in flight at most (halved on 429s, then recovered)',
      parseNumber('--concurrency', true, 1),
      8,
    )
    .option('--rpm <n>', 'requests started per minute at most', parseNumber('--rpm', true, 1))
    .option(
      '--tpm <n>',
      'tokens per minute at most (input + max tokens, counted before sending)',
      parseNumber('--tpm', true, 1),
    )
    .option('-m, --model <model>', 'model for items that name none')
    .option('-s, --system <text>', 'system message for items that have none')
    .option(
      '--max-tokens <n>',
      'maximum output tokens for items that set none',
      parseNumber('--max-tokens', true, 1),
    )
    .option('--schema <file>', 'a JSON Schema file: every answer is a validated object')
    .option(
      '--max-retries <n>',
      'retries of one item after its first attempt',
      parseNumber('--max-retries', true),
      3,
    )
    .option('--resume', 'continue an OUTPUT that already holds results: ids present are skipped')
    .option('--retry-failed', 'with --resume: run the items recorded as failed again')
    .option(
      '--strict',
      'stop before sending anything when a line of INPUT is bad (default: report and skip it)',
    )
    .option('--force', 'use an OUTPUT whose ids do not all belong to INPUT')
    .option('--format <format>', 'jsonl, csv or text (default: from the extension)', parseFormat)
    .option(
      '--progress-interval <s>',
      'seconds between progress lines when stderr is not a terminal',
      parseNumber('--progress-interval', true, 1),
      10,
    )
    .action(async (input: string, options: BatchCliOptions, command: Command) => {
      process.exitCode = await batch(input, options, command);
    });
}

function parseFormat(value: string): InputFormat {
  if (value === 'jsonl' || value === 'csv' || value === 'text') return value;
  throw new UsageError(`--format must be jsonl, csv or text, got "${value}"`);
}

async function batch(inputPath: string, options: BatchCliOptions, command: Command): Promise<number> {
  let client: ReturnType<typeof cliClient> | undefined;
  let journal: Journal | undefined;
  try {
    const loaded = loadCliConfig(command);
    const schema = options.schema === undefined ? undefined : readSchemaFile(options.schema);
    const { items, problems } = readInput(inputPath, options);
    const duplicates = checkDuplicateIds(items);
    if (duplicates.length > 0) throw new BatchInputError(duplicates);
    if (problems.length > 0) {
      if (options.strict) throw new BatchInputError(problems);
      for (const problem of problems)
        process.stderr.write(`llmkit: warning: INPUT line ${problem.line}: ${problem.message} (skipped)\n`);
    }
    const output = options.output!;
    if (options.retryFailed && !options.resume) {
      throw new UsageError('--retry-failed needs --resume', {
        hint: 'add --resume to continue the same OUTPUT',
      });
    }
    // Refused before the journal is opened, so a refusal never repairs (rewrites) the file.
    if (!options.resume && existsSync(output) && statSync(output).size > 0) {
      throw new UsageError(`OUTPUT ${output} already exists and holds results`, {
        hint: 'pass --resume to continue it (ids already there are skipped), or choose another -o',
      });
    }
    journal = openJournal(output);
    if (journal.repaired) {
      process.stderr.write(
        `llmkit: warning: OUTPUT ${output}: removed a torn last line (${journal.repaired.bytes} bytes; ${journal.repaired.reason}); that item runs again\n`,
      );
    }
    checkJournal(journal, items, options);
    if (options.retryFailed && journal.failedIds.size > 0) {
      journal.close();
      compactJournal(output, (record) => record.ok);
      journal = openJournal(output);
    }
    const done = journal.ids;
    const todo = items.filter((item) => !done.has(item.id)).map((item) => toBatchItem(item, options, schema));
    const skippedBefore = items.length - todo.length;
    client = cliClient(command, loaded);
    const stop = new AbortController();
    const abort = new AbortController();
    const onSigint = () => {
      if (!stop.signal.aborted) {
        stop.abort();
        process.stderr.write(
          '\nllmkit: stopping: letting the items in flight finish; press Ctrl-C again to abort them\n',
        );
      } else {
        abort.abort();
        // A third Ctrl-C gets Node's default: the process ends at once.
        process.off('SIGINT', onSigint);
      }
    };
    process.on('SIGINT', onSigint);
    const display = progressDisplay(options.progressInterval, skippedBefore);
    const activeJournal = journal;
    let results: BatchResult[];
    try {
      results = await client.batch(todo, {
        concurrency: options.concurrency,
        maxRetries: options.maxRetries,
        ...(options.rpm === undefined ? {} : { rpm: options.rpm }),
        ...(options.tpm === undefined ? {} : { tpm: options.tpm }),
        signal: abort.signal,
        stopSignal: stop.signal,
        // Appended (one write) before the item counts as done: a kill -9 loses no finished item.
        onResult: (result) => {
          if (!result.ok && result.skipped) return;
          activeJournal.append(outputRecord(result));
        },
        onProgress: display.update,
      });
    } finally {
      display.stop();
      process.off('SIGINT', onSigint);
    }
    return summarize(results, skippedBefore, options);
  } catch (error) {
    return reportError(error);
  } finally {
    journal?.close();
    await closeQuietly(client);
  }
}

function readInput(
  path: string,
  options: BatchCliOptions,
): { items: BatchInputItem[]; problems: Array<{ line: number; message: string }> } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read INPUT ${path}: ${code === 'ENOENT' ? 'no such file' : code}`, {
      hint: 'pass the path of a JSONL, CSV or text file',
    });
  }
  const parsed = parseBatchInput(text, options.format ?? formatFromPath(path));
  const problems = [...parsed.problems];
  const items: BatchInputItem[] = [];
  for (const item of parsed.items) {
    const unknown = Object.keys(item.options).find((key) => !(key in itemFields));
    if (unknown === undefined) items.push(item);
    else
      problems.push({
        line: item.line,
        message: `unknown field "${unknown}"; an item may have id, prompt, messages, ${Object.keys(itemFields).join(', ')}`,
      });
  }
  problems.sort((a, b) => a.line - b.line);
  return { items, problems };
}

/** Refuses a journal another INPUT wrote. */
function checkJournal(journal: Journal, items: BatchInputItem[], options: BatchCliOptions): void {
  if (journal.ids.size === 0 || options.force) return;
  const known = new Set(items.map((item) => item.id));
  const stranger = [...journal.ids].find((id) => !known.has(id));
  if (stranger !== undefined) {
    throw new UsageError(
      `OUTPUT ${journal.path} holds id "${stranger}", which INPUT does not have: it belongs to another input`,
      {
        hint: 'choose another -o, or pass --force to continue it anyway',
      },
    );
  }
}

function toBatchItem(
  item: BatchInputItem,
  options: BatchCliOptions,
  schema: JsonSchema | undefined,
): BatchItem {
  const batchItem: BatchItem = { id: item.id };
  if (item.prompt !== undefined) batchItem.prompt = item.prompt;
  if (item.messages !== undefined) batchItem.messages = item.messages as NonNullable<BatchItem['messages']>;
  if (options.model !== undefined) batchItem.model = options.model;
  if (options.system !== undefined) batchItem.system = options.system;
  if (options.maxTokens !== undefined) batchItem.maxTokens = options.maxTokens;
  if (schema !== undefined) batchItem.schema = schema;
  for (const [key, value] of Object.entries(item.options)) {
    (batchItem as Record<string, unknown>)[itemFields[key]!] = value;
  }
  return batchItem;
}

/** One OUTPUT line: `{ id, ok, text | object, usage, cost, attempts, error? }`. */
function outputRecord(result: BatchResult): { id: string; ok: boolean } & Record<string, unknown> {
  if (!result.ok) {
    return {
      id: result.id,
      ok: false,
      attempts: result.attempts,
      error: { code: result.error.code, message: result.error.message },
    };
  }
  const value = result.value;
  const body = 'object' in value ? { object: value.object } : { text: value.text };
  return {
    id: result.id,
    ok: true,
    ...body,
    usage: value.usage ?? null,
    cost: value.costNanos === null ? null : value.costNanos / 1e9,
    attempts: result.attempts,
    ...('model' in value ? { model: value.model, requestId: value.requestId } : {}),
  };
}

function progressDisplay(intervalSeconds: number, already: number) {
  const tty = process.stderr.isTTY === true;
  let latest: BatchProgress | undefined;
  let bar: SingleBar | undefined;
  let timer: NodeJS.Timeout | undefined;
  // The bar draws done/total itself; the plain line spells it out.
  const counts = (p: BatchProgress) =>
    `${p.ok} ok, ${p.failed} failed${p.skipped ? `, ${p.skipped} skipped` : ''}`;
  const rates = (p: BatchProgress) =>
    `${Math.round(p.ratePerMinute)}/min, eta ${formatDuration(p.etaMs)}, ${p.totalTokens} tokens, ${formatUsd(p.costNanos)}`;
  const describe = (p: BatchProgress) =>
    `${p.done + already}/${p.total + already} (${counts(p)}), ${rates(p)}`;
  if (!tty) {
    timer = setInterval(() => {
      if (latest) process.stderr.write(`llmkit: batch ${describe(latest)}\n`);
    }, intervalSeconds * 1000);
    timer.unref();
  }
  return {
    update(progress: BatchProgress) {
      latest = progress;
      if (!tty) return;
      const payload = { detail: `${counts(progress)}, ${rates(progress)}` };
      if (!bar) {
        bar = new SingleBar({
          format: 'batch [{bar}] {value}/{total} {detail}',
          hideCursor: true,
          stream: process.stderr,
        });
        bar.start(progress.total + already, progress.done + already, payload);
      } else bar.update(progress.done + already, payload);
    },
    stop() {
      clearInterval(timer);
      bar?.stop();
    },
  };
}

function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '?';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function summarize(results: BatchResult[], already: number, options: BatchCliOptions): number {
  const ok = results.filter((result) => result.ok);
  const failed = results.filter((result) => !result.ok && !result.skipped);
  const skipped = results.filter((result) => !result.ok && result.skipped);
  const tokens = ok.reduce(
    (sum, result) => sum + (result.ok ? (result.value.usage?.totalTokens ?? 0) : 0),
    0,
  );
  const cost = ok.reduce((sum, result) => sum + (result.ok ? (result.value.costNanos ?? 0) : 0), 0);
  // The strongest reason wins: a Ctrl-C during a budget refusal is still an interruption.
  const reasons = new Set(skipped.map((result) => (result.ok ? undefined : result.skipped)));
  const reason = (['aborted', 'stopped', 'budget'] as const).find((candidate) => reasons.has(candidate));
  const parts = [
    `${ok.length} ok`,
    `${failed.length} failed`,
    ...(skipped.length ? [`${skipped.length} not run (${reason})`] : []),
    ...(already ? [`${already} already in OUTPUT`] : []),
  ];
  process.stderr.write(
    `llmkit: batch done: ${parts.join(', ')}; ${tokens} tokens, ${formatUsd(cost)}; results in ${options.output}\n`,
  );
  if (skipped.length > 0) {
    process.stderr.write(`llmkit: to resume: ${resumeCommand()}\n`);
  }
  if (reason === 'aborted' || reason === 'stopped') return exitCodes.interrupted;
  if (reason === 'budget') return exitCodes.refused;
  return failed.length > 0 ? exitCodes.provider : exitCodes.ok;
}

/** The command line that continues this batch: the same arguments, plus --resume. */
function resumeCommand(): string {
  // --retry-failed is dropped: the resumed run should not retry what this one recorded as failed.
  const args = process.argv.slice(2).filter((arg) => arg !== '--resume' && arg !== '--retry-failed');
  const quoted = args.map((arg) => (/^[\w./=:@,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`));
  return `llmkit ${quoted.join(' ')} --resume`;
}
