import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CallOptions } from '../../client/call-options.js';
import { SchemaError, UsageError } from '../../errors/index.js';
import type { JsonSchema } from '../../structured/object-schema.js';
import { cliClient, closeQuietly, loadCliConfig, parseNumber, reportError } from '../cli-context.js';
import { readPrompt } from '../read-prompt.js';

interface RunOptions {
  model?: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  file?: string;
  json?: boolean;
  stream: boolean;
  maxRetries?: number;
  timeout?: number;
  schema?: string;
  schemaName?: string;
  maxAttempts?: number;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('send one prompt and stream the answer to stdout')
    .argument('[prompt]', 'the prompt; `-` (or no argument with piped input) reads stdin')
    .option('-m, --model <model>', 'provider/model or alias (default: config defaultModel)')
    .option('-s, --system <text>', 'system message')
    .option('-t, --temperature <number>', 'sampling temperature', parseNumber('--temperature', false))
    .option('--max-tokens <n>', 'maximum output tokens', parseNumber('--max-tokens', true, 1))
    .option('--max-retries <n>', 'retries after the first attempt', parseNumber('--max-retries', true))
    .option('--timeout <ms>', 'total timeout of the call in ms', parseNumber('--timeout', true, 1))
    .option('-f, --file <path>', 'read the prompt from a file')
    .option('--json', 'print the whole result as one JSON object instead of streaming text')
    .option('--no-stream', 'wait for the whole answer instead of streaming it')
    .option('--schema <file>', 'a JSON Schema file: print the answer as JSON validated against it')
    .option('--schema-name <name>', 'with --schema: name of the schema or forced tool (default: response)')
    .option(
      '--max-attempts <n>',
      'with --schema: attempts before giving up, repairs included (default 3)',
      parseNumber('--max-attempts', true, 1),
    )
    .action(async (argument: string | undefined, options: RunOptions, command: Command) => {
      process.exitCode = await run(argument, options, command);
    });
}

async function run(argument: string | undefined, options: RunOptions, command: Command): Promise<number> {
  let client: ReturnType<typeof cliClient> | undefined;
  try {
    const loaded = loadCliConfig(
      command,
      options.timeout === undefined ? {} : { timeouts: { totalMs: options.timeout } },
    );
    const prompt = await readPrompt(argument, options.file);
    client = cliClient(command, loaded);
    const callOptions: CallOptions = {};
    if (options.model !== undefined) callOptions.model = options.model;
    if (options.system !== undefined) callOptions.system = options.system;
    if (options.temperature !== undefined) callOptions.temperature = options.temperature;
    if (options.maxTokens !== undefined) callOptions.maxTokens = options.maxTokens;
    if (options.maxRetries !== undefined) callOptions.maxRetries = options.maxRetries;
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    callOptions.signal = abort.signal;
    if (options.schema !== undefined) {
      const result = await client.generateObject({
        ...callOptions,
        schema: readSchemaFile(options.schema),
        prompt,
        ...(options.schemaName === undefined ? {} : { name: options.schemaName }),
        ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      });
      if (options.json) {
        const { results, ...rest } = result;
        const requestIds = results.map((entry) => entry.requestId);
        process.stdout.write(`${JSON.stringify({ ok: true, ...rest, requestIds })}\n`);
      } else process.stdout.write(`${JSON.stringify(result.object, null, 2)}\n`);
      return 0;
    }
    if (options.json) {
      const result = await client.generate(prompt, callOptions);
      process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
      return 0;
    }
    if (!options.stream) {
      const result = await client.generate(prompt, callOptions);
      process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
      return 0;
    }
    const stream = client.stream(prompt, callOptions);
    let last = '';
    for await (const event of stream) {
      if (event.type === 'text-delta' && event.choiceIndex === 0) {
        process.stdout.write(event.text);
        last = event.text;
      }
    }
    await stream.result;
    if (!last.endsWith('\n')) process.stdout.write('\n');
    return 0;
  } catch (error) {
    return reportError(error, options.json);
  } finally {
    await closeQuietly(client);
  }
}

/** The `--schema` file as a JSON value; the schema itself is checked by `generateObject`. */
export function readSchemaFile(path: string): JsonSchema {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --schema ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      {
        hint: 'pass the path of a JSON Schema file, e.g. --schema schema.json',
      },
    );
  }
  try {
    return JSON.parse(text) as JsonSchema;
  } catch (error) {
    throw new SchemaError(`--schema ${path} is not JSON: ${(error as Error).message}`, {
      hint: 'the file must hold one JSON Schema object such as {"type":"object","properties":{...}}',
    });
  }
}
