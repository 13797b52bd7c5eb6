import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { LlmkitError } from '../../errors/index.js';
import type { ChatMessage } from '../../providers/types.js';
import { cliClient, closeQuietly, loadCliConfig, parseNumber, reportError } from '../cli-context.js';

interface ChatOptions {
  model?: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
}

const help = 'commands: /reset forgets the conversation, /exit leaves (or Ctrl-D); Ctrl-C cancels an answer';

export function registerChat(program: Command): void {
  program
    .command('chat')
    .description('multi-turn chat; Ctrl-C cancels the current answer, not the session')
    .option('-m, --model <model>', 'provider/model or alias')
    .option('-s, --system <text>', 'system message')
    .option('-t, --temperature <number>', 'sampling temperature', parseNumber('--temperature', false))
    .option('--max-tokens <n>', 'maximum output tokens per answer', parseNumber('--max-tokens', true, 1))
    .action(async (options: ChatOptions, command: Command) => {
      process.exitCode = await chat(options, command);
    });
}

async function chat(options: ChatOptions, command: Command): Promise<number> {
  let client: ReturnType<typeof cliClient>;
  try {
    client = cliClient(command, loadCliConfig(command));
  } catch (error) {
    return reportError(error);
  }
  const history: ChatMessage[] = options.system ? [{ role: 'system', content: options.system }] : [];
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const lines = createInterface({ input: process.stdin, output: process.stdout, terminal, prompt: '> ' });
  let answering: AbortController | undefined;
  let pendingExit = false;
  let interrupted = false;
  const interrupt = () => {
    if (answering) {
      answering.abort();
      return;
    }
    if (pendingExit) {
      interrupted = true;
      lines.close();
    } else {
      pendingExit = true;
      process.stdout.write('\n(press Ctrl-C again or Ctrl-D to leave)\n');
      lines.prompt();
    }
  };
  // In a terminal readline turns Ctrl-C into its own event; when piped, the signal arrives.
  lines.on('SIGINT', interrupt);
  process.on('SIGINT', interrupt);
  process.stdout.write(`llmkit chat. ${help}\n`);
  lines.prompt();
  for await (const line of lines) {
    pendingExit = false;
    const text = line.trim();
    if (text === '/exit' || text === '/quit') break;
    if (text === '/reset') {
      history.splice(options.system ? 1 : 0);
      process.stdout.write('(conversation cleared)\n');
    } else if (text === '/help') {
      process.stdout.write(`${help}\n`);
    } else if (text !== '') {
      answering = new AbortController();
      const turn: ChatMessage[] = [...history, { role: 'user', content: text }];
      try {
        const stream = client.stream(turn, { ...callOptions(options), signal: answering.signal });
        for await (const event of stream) {
          if (event.type === 'text-delta' && event.choiceIndex === 0) process.stdout.write(event.text);
        }
        const result = await stream.result;
        history.push({ role: 'user', content: text }, result.message);
        process.stdout.write('\n');
      } catch (error) {
        if (LlmkitError.isInstance(error) && error.code === 'aborted') {
          // The cancelled turn is dropped, so the conversation stays coherent.
          process.stdout.write('\n(answer cancelled)\n');
        } else {
          process.stdout.write('\n');
          reportError(error);
        }
      } finally {
        answering = undefined;
      }
    }
    lines.prompt();
  }
  process.off('SIGINT', interrupt);
  lines.close();
  await closeQuietly(client);
  // A failed turn was reported and the session went on; only how the session ended counts.
  return interrupted ? 130 : 0;
}

function callOptions(options: ChatOptions) {
  return {
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
  };
}
