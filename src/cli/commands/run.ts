import type { Command } from 'commander';
import type { CallOptions } from '../../client/call-options.js';
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
