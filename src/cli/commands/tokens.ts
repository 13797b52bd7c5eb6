import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { resolveModel } from '../../config/resolve-model.js';
import { UsageError } from '../../errors/index.js';
import { type ChatInput, chatInputSchema } from '../../tokens/chat-input-schema.js';
import { countTokens } from '../../tokens/count-tokens.js';
import { loadCliConfig, reportError } from '../cli-context.js';

interface TokensOptions {
  model?: string;
  text?: string;
  json?: boolean;
}

// What `llmkit tokens` counts when neither --model nor the config names a model.
const fallbackModel = 'gpt-4o';

export function registerTokens(program: Command): void {
  program
    .command('tokens')
    .description('count the prompt tokens of a file, stdin or text for a model, offline')
    .argument(
      '[file]',
      'file to count (`-` or piped input reads stdin); a .json file holding messages is counted as a chat',
    )
    .option(
      '-m, --model <model>',
      `provider/model or alias (default: config defaultModel, else ${fallbackModel})`,
    )
    .option('--text <text>', 'count this text instead of a file')
    .option('--json', 'print { ok, tokens, exact, encoding, model } as JSON')
    .action(async (file: string | undefined, options: TokensOptions, command: Command) => {
      process.exitCode = await tokens(file, options, command);
    });
}

async function tokens(file: string | undefined, options: TokensOptions, command: Command): Promise<number> {
  try {
    const loaded = loadCliConfig(command);
    // Resolved like a call would be, so an alias or a bare id on a non-OpenAI default provider
    // is judged by who actually serves it.
    const target = resolveModel(options.model ?? loaded.config.defaultModel ?? fallbackModel, loaded.config);
    const model = `${target.provider}/${target.model}`;
    const input = await readInput(file, options.text);
    const count =
      typeof input === 'string'
        ? countTokens(input, model)
        : countTokens(input.messages, model, { tools: input.tools });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ ok: true, ...count, model })}\n`);
    } else {
      const kind = count.exact ? 'exact' : 'estimate';
      process.stdout.write(`${count.tokens} tokens (${count.encoding}, ${kind})\n`);
    }
    return 0;
  } catch (error) {
    return reportError(error, options.json);
  }
}

/** The text to count, or the conversation in a .json file. */
async function readInput(file: string | undefined, text: string | undefined): Promise<string | ChatInput> {
  if (text !== undefined) {
    if (file !== undefined) throw new UsageError(`got both a file (${file}) and --text; count one at a time`);
    return text;
  }
  if (file === '-') return readStdin();
  if (file === undefined) {
    const piped = process.stdin.isTTY ? '' : await readStdin();
    // An empty pipe is as likely a broken script as an empty document; say so instead of "0".
    if (piped === '') {
      throw new UsageError('nothing to count: no file, no --text and nothing on stdin', {
        hint: 'pass a file, `-` for stdin, or --text "..."',
      });
    }
    return piped;
  }
  const content = await readInputFile(file);
  return file.toLowerCase().endsWith('.json') ? (chatIn(content, file) ?? content) : content;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readInputFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code;
    throw new UsageError(`cannot read ${file}: ${reason}`, {
      hint: 'check the path, or pass the text with --text or on stdin with `-`',
    });
  }
}

/**
 * The conversation in a .json file, or undefined when the file is some other JSON document
 * (which is then counted as text). A file that looks like a chat but is malformed is an error:
 * counting it as text would give a plausible but wrong number.
 */
function chatIn(content: string, file: string): ChatInput | undefined {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return undefined;
  }
  const looksLikeChat =
    Array.isArray(value) || (typeof value === 'object' && value !== null && 'messages' in value);
  if (!looksLikeChat) return undefined;
  const parsed = chatInputSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const path = (issue?.path ?? [])
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('')
    .replace(/^\./, '');
  throw new UsageError(`${file}: ${path || 'top level'}: ${issue?.message ?? 'not a chat'}`, {
    hint: 'a chat file is a messages array, or { "messages": [...], "tools": [...] }, in the OpenAI format',
  });
}
